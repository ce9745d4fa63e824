#!/usr/bin/env python3
"""Video under loss: frames shown by `parley stream receive` at 0/5/10/20 % random loss
each way (and 20-40 ms of jitter, which reorders), with retransmission (generic NACK, the
default) and without it (the SDP's `a=rtcp-fb:96 nack` line removed: keyframe requests
only, as before), and ffmpeg receiving the same stream through the same relay, all in the
same run. A UDP relay in this script makes the bad network (this kernel has no netem).

Goal (issue: call quality): >= 95 % of the frames shown at 10 % loss; no corrupt frame
(Parley never hands an incomplete frame to the decoder; ffmpeg does, and conceals)."""
import faulthandler, argparse, heapq, os, random, select, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY  # noqa: E402


class Relay(threading.Thread):
    """Forwards what the sender sends to the receiver's port and what comes back from it
    to the sender, dropping `loss` of the datagrams each way (seeded) and delaying the
    rest by 20-40 ms."""

    def __init__(self, receiver_port, loss, seed):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", even_port()))   # `parley stream send --to` wants an even port
        self.port = self.sock.getsockname()[1]
        self.receiver = ("127.0.0.1", receiver_port)
        self.sender = None
        self.loss = loss
        self.random = [random.Random(seed), random.Random(seed + 1)]
        self.queue = []
        self.stopped = False
        self.dropped = self.forwarded = 0

    def run(self):
        sequence = 0
        while not self.stopped:
            timeout = 0.01
            if self.queue:
                timeout = max(0.0, min(timeout, self.queue[0][0] - time.monotonic()))
            readable, _, _ = select.select([self.sock], [], [], timeout)
            if readable:
                data, source = self.sock.recvfrom(65536)
                back = source == self.receiver
                if not back:
                    self.sender = source
                destination = self.sender if back else self.receiver
                generator = self.random[1 if back else 0]
                if destination is not None:
                    if generator.random() < self.loss:
                        self.dropped += 1
                    else:
                        sequence += 1
                        heapq.heappush(self.queue, (time.monotonic() + generator.uniform(0.020, 0.040), sequence, data, destination))
            now = time.monotonic()
            while self.queue and self.queue[0][0] <= now:
                _, _, data, destination = heapq.heappop(self.queue)
                self.sock.sendto(data, destination)
                self.forwarded += 1


def wait_bound(port, timeout=10):
    """Waits until something listens on UDP `port` (from /proc/net/udp and udp6)."""
    hex_port = f"{port:04X}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with open(table) as lines:
                if any(line.split()[1].split(":")[-1] == hex_port for line in lines.readlines()[1:]):
                    return
        time.sleep(0.02)
    raise RuntimeError(f"nothing bound UDP port {port}")


def y4m_frames(path):
    """Frames in a YUV4MPEG2 file."""
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as stream:
        header = stream.readline().split()
        width = int(next(f[1:] for f in header if f.startswith(b"W")))
        height = int(next(f[1:] for f in header if f.startswith(b"H")))
        size = width * height * 3 // 2
        frames = 0
        while stream.readline().startswith(b"FRAME"):
            if len(stream.read(size)) < size:
                break
            frames += 1
        return frames


def even_port():
    """A free UDP port that is even (RTP's convention, which `parley stream` asks for)."""
    while True:
        port = random.randrange(20000, 60000, 2)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def run_once(args, work, loss, receiver_kind):
    port = even_port()
    sdp = os.path.join(work, f"receive-{port}.sdp")
    send = [args.parley, "stream", "send", "--to", f"127.0.0.1:{port}", "--video", "pattern:320x240",
            "--video-bitrate", "400", "--duration", str(args.seconds)]
    subprocess.run(send + ["--sdp", sdp, "--sdp-only"], check=True, capture_output=True)
    text = open(sdp).read()
    if receiver_kind == "parley-no-nack":
        text = text.replace("a=rtcp-fb:96 nack\n", "").replace("a=rtcp-fb:96 nack\r\n", "")
        open(sdp, "w").write(text)
    seen = os.path.join(work, f"seen-{port}.y4m")
    if receiver_kind == "ffmpeg":
        receiver = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-protocol_whitelist", "file,udp,rtp",
             "-i", sdp, "-map", "0:v", "-fps_mode", "passthrough", "-f", "yuv4mpegpipe", seen],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    else:
        receiver = subprocess.Popen(
            [args.parley, "stream", "receive", "--sdp", sdp, "--video-out", f"y4m:{seen}", "--duration", str(args.seconds + 8)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_bound(port)
    relay = Relay(port, loss, seed=20261201)
    relay.start()
    sent = subprocess.run([args.parley, "stream", "send", "--to", f"127.0.0.1:{relay.port}", "--video", "pattern:320x240",
                           "--video-bitrate", "400", "--duration", str(args.seconds)], capture_output=True, text=True)
    if sent.returncode != 0:
        raise RuntimeError(sent.stderr)
    time.sleep(1)
    receiver.send_signal(2)   # both complete their files on SIGINT
    _, errors = receiver.communicate(timeout=20)
    relay.stopped = True
    relay.join()
    error_lines = sum(1 for line in errors.splitlines() if line.strip()) if receiver_kind == "ffmpeg" else 0
    return y4m_frames(seen), error_lines


def main():
    if os.environ.get("LOSS_DEBUG"): faulthandler.dump_traceback_later(30)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--losses", default="0,5,10,20", help="loss percentages, each way")
    args = parser.parse_args()
    expected = args.seconds * 30
    have_ffmpeg = subprocess.run(["which", "ffmpeg"], capture_output=True).returncode == 0
    print(f"video 320x240@30, 400 kb/s, {args.seconds} s ({expected} frames) through a relay with 20-40 ms jitter")
    print(f"{'loss each way':<15}{'Parley (NACK)':>15}{'Parley, no NACK':>17}{'ffmpeg':>20}{'ratio NACK/no NACK':>20}")
    with tempfile.TemporaryDirectory(prefix="parley-loss-") as work:
        for loss in (int(x) for x in args.losses.split(",")):
            nack, _ = run_once(args, work, loss / 100, "parley")
            plain, _ = run_once(args, work, loss / 100, "parley-no-nack")
            ffmpeg = run_once(args, work, loss / 100, "ffmpeg") if have_ffmpeg else (None, 0)
            ffmpeg_text = f"{ffmpeg[0]} ({ffmpeg[1]} err)" if ffmpeg[0] is not None else "not installed"
            ratio = nack / plain if plain else float("inf")
            print(f"{str(loss) + ' %':<15}{nack:>9} {nack * 100 // expected:>3} %{plain:>11} {plain * 100 // expected:>3} %{ffmpeg_text:>20}{ratio:>20.2f}")
    print("Parley shows only complete frames; ffmpeg decodes damaged ones too (concealed, counted in err lines).")


if __name__ == "__main__":
    main()
