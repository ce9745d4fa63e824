#!/usr/bin/env python3
"""Bottleneck benchmark: how long a Parley video call takes to settle under a narrow uplink,
and to climb back once it widens, against a sender without rate adaptation in the same run.

Two network namespaces joined by a veth pair; the caller's egress gets a token bucket
(`tc tbf rate 500kbit burst 16kb latency 300ms`, as a shaped DSL or tethered uplink)
SETTLE_AT seconds into the call, raised in place to 100 Mb/s LIMIT seconds later. Alice
calls Bob with a 640x480 clip with temporal grain (which VP8 cannot make in under about
1.1 Mb/s at 640x480) at `video_bitrate = 1500`, and speech-like audio; Bob answers by himself.
Every 250 ms: what alice's `call status` says she sends (audio + video) and the bucket's
counts. Reported per run: the time from the onset until the call sends under the bucket's
rate and the bucket stops dropping (nothing dropped for the next 2 s), what it sends
and drops while settled, and the time from the lift until it sends 0.8 x its rate before.
Reference, same run, same bucket: ffmpeg sending the same clip as VP8 RTP at 1.5 Mb/s in
real time (no rate adaptation): it never settles; a local sender is not dropped (its socket
waits while the bucket's queue is full), so it falls behind real time: how far, when the
limit ends.

Goal (issue: call quality): under the bottleneck within 5 s with < 2 % loss; back up
within 10 s of the lift. Needs root (network namespaces, tc), ffmpeg and a release build."""
import argparse, os, re, shutil, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY, Control, Node, wait_for  # noqa: E402

A, B = "pbench-a", "pbench-b"
ADDRESS_A, ADDRESS_B = "10.79.0.1", "10.79.0.2"
SETTLE_AT, LIMIT, AFTER = 6.0, 20.0, 12.0
RATE = 500_000


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True).stdout


def make_lab():
    remove_lab()
    sh("ip", "netns", "add", A)
    sh("ip", "netns", "add", B)
    sh("ip", "link", "add", "pbench0", "netns", A, "type", "veth", "peer", "name", "pbench1", "netns", B)
    for namespace, device, address in ((A, "pbench0", ADDRESS_A), (B, "pbench1", ADDRESS_B)):
        sh("ip", "-n", namespace, "addr", "add", f"{address}/24", "dev", device)
        sh("ip", "-n", namespace, "link", "set", device, "up")
        sh("ip", "-n", namespace, "link", "set", "lo", "up")


def remove_lab():
    for namespace in (A, B):
        sh("ip", "netns", "del", namespace, check=False)


def limit(kilobits):
    present = "tbf" in sh("ip", "netns", "exec", A, "tc", "qdisc", "show", "dev", "pbench0")
    sh("ip", "netns", "exec", A, "tc", "qdisc", "change" if present else "add", "dev", "pbench0", "root", "tbf",
       "rate", f"{kilobits}kbit", "burst", "16kb", "latency", "300ms")


def unlimit():
    sh("ip", "netns", "exec", A, "tc", "qdisc", "del", "dev", "pbench0", "root", check=False)


def bucket_counts():
    """(packets sent, packets dropped) by the bucket so far."""
    text = sh("ip", "netns", "exec", A, "tc", "-s", "qdisc", "show", "dev", "pbench0")
    sent = re.search(r"Sent \d+ bytes (\d+) pkt", text)
    dropped = re.search(r"dropped (\d+)", text)
    return (int(sent.group(1)) if sent else 0, int(dropped.group(1)) if dropped else 0)


class NamespacedNode(Node):
    """A Parley daemon in a network namespace, listening on the namespace's address."""

    def __init__(self, parley, name, work, namespace, address, config):
        super().__init__(parley, name, work)
        self.namespace, self.address, self.port = namespace, address, 7400
        with open(os.path.join(self.home, "config"), "w") as f:
            f.write(config)

    def start(self, environment=None):
        log = open(os.path.join(self.home, "daemon.log"), "w")
        self.process = subprocess.Popen(["ip", "netns", "exec", self.namespace, self.parley, "daemon", "--home", self.home,
                                         "--listen", f"{self.address}:{self.port}", "--log-level", "warning"], stderr=log)
        wait_for(lambda: os.path.exists(os.path.join(self.home, "control.sock")) and self.status() is not None)

    def call(self):
        return Control(self.home).request(command="call-status").get("call") or {}


def sent_rate(call):
    statistics = call.get("statistics") or {}
    return sum((statistics.get(kind) or {}).get("bitrate", 0) for kind in ("audio_sent", "video_sent"))


def speech_wav(path, seconds):
    """A voice-like sound with pauses: 4 syllables a second, a pause every 2.5 s."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc='0.25*sin(2*PI*180*t)*max(0,sin(2*PI*4*t))*lt(mod(t,2.5),2.2)':s=48000:d={seconds}",
                    "-ac", "1", "-c:a", "pcm_s16le", path], check=True)


def timeline(sample, onset_reached, lifted_reached):
    """Runs the limit's timeline from now, calling `sample()` every 250 ms; returns
    [(seconds since start, rate, bucket sent, bucket dropped)] and the onset and lift times."""
    start = time.monotonic()
    samples, onset, lift = [], None, None
    while True:
        elapsed = time.monotonic() - start
        if onset is None and elapsed >= SETTLE_AT:
            limit(RATE // 1000)
            onset = elapsed
            onset_reached()
        if lift is None and elapsed >= SETTLE_AT + LIMIT:
            limit(100_000)
            lift = elapsed
            lifted_reached()
        if elapsed >= SETTLE_AT + LIMIT + AFTER:
            return samples, onset, lift
        rate = sample()
        sent, dropped = bucket_counts()
        samples.append((elapsed, rate, sent, dropped))
        time.sleep(max(0, 0.25 - (time.monotonic() - start - elapsed)))


def analyse(samples, onset, lift):
    before = max((rate for t, rate, _, _ in samples if onset - 3 <= t < onset), default=0)
    narrow = [s for s in samples if onset <= s[0] < lift]
    settled_at = None
    for index, (t, rate, _, dropped) in enumerate(narrow):
        later = [s for s in narrow[index:] if s[0] <= t + 2.1]
        if rate < RATE and later and later[-1][0] >= t + 1.9 and later[-1][3] == dropped:
            settled_at = t - onset
            break
    settled = [s for s in narrow if settled_at is not None and s[0] >= onset + settled_at]
    drop_share = None
    if len(settled) >= 2:
        sent, dropped = settled[-1][2] - settled[0][2], settled[-1][3] - settled[0][3]
        drop_share = dropped / max(1, sent + dropped)
    mean = sum(s[1] for s in settled) / len(settled) if settled else None
    climbed = next((t - lift for t, rate, _, _ in samples if t >= lift and rate >= 0.8 * before), None)
    return before, settled_at, mean, drop_share, climbed


def parley_run(parley, work, clip, wav):
    alice = NamespacedNode(parley, "alice", work, A, ADDRESS_A,
                           f"video_bitrate = 1500\naudio_input = wav-loop:{wav}\naudio_output = none\nvideo_input = y4m:{clip}\n")
    bob = NamespacedNode(parley, "bob", work, B, ADDRESS_B, "audio_input = none\naudio_output = none\nvideo_input = none\n")
    alice.run("contacts", "add", bob.id, "--name", "bob", "--address", f"{ADDRESS_B}:{bob.port}")
    bob.run("contacts", "add", alice.id, "--name", "alice", "--address", f"{ADDRESS_A}:{alice.port}")
    try:
        alice.start()
        bob.start()
        wait_for(lambda: any(c["online"] for c in alice.status()["contacts"]))
        bob.run("contacts", "calls", "alice", "--auto-answer", "video")
        reply = Control(alice.home).request(command="call-start", contact="bob", video=True)
        assert reply["ok"], reply
        wait_for(lambda: alice.call().get("state") == "active", timeout=20)
        samples, onset, lift = timeline(lambda: sent_rate(alice.call()), lambda: None, lambda: None)
        Control(alice.home).request(command="call-hangup")
        return analyse(samples, onset, lift)
    finally:
        alice.stop()
        bob.stop()
        unlimit()


def ffmpeg_run(clip):
    """ffmpeg sends the clip as VP8 RTP at 1.5 Mb/s (`-re`: in real time) through the same
    bucket. A local sender is not dropped by the bucket: its socket waits while the queue is
    full, so ffmpeg falls behind real time. Returns how far behind it is when the limit
    ends (seconds) and the share of its packets the bucket dropped."""
    # Something must take the packets at B, or ICMP port-unreachable stops ffmpeg's RTP output.
    sink = subprocess.Popen(["ip", "netns", "exec", B, "python3", "-c",
                             "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                             "s.bind(('0.0.0.0', 5004))\nwhile True: s.recv(65536)"])
    sender = subprocess.Popen(["ip", "netns", "exec", A, "ffmpeg", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
                               "-re", "-stream_loop", "-1", "-i", clip, "-an", "-c:v", "libvpx", "-b:v", "1500k",
                               "-minrate", "1500k", "-maxrate", "1500k", "-deadline", "realtime", "-cpu-used", "8",
                               "-f", "rtp", f"rtp://{ADDRESS_B}:5004"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    started = time.monotonic()
    progress = {"out": 0.0}

    def read():
        for line in sender.stdout:
            if line.startswith("out_time_us=") and line.strip().split("=")[1].isdigit():
                progress["out"] = int(line.strip().split("=")[1]) / 1e6

    threading.Thread(target=read, daemon=True).start()
    behind = {}
    try:
        time.sleep(2)
        samples, onset, lift = timeline(lambda: 0, lambda: behind.update(onset=time.monotonic() - started - progress["out"]),
                                        lambda: behind.update(lift=time.monotonic() - started - progress["out"]))
        narrow = [s for s in samples if onset <= s[0] < lift]
        sent, dropped = narrow[-1][2] - narrow[0][2], narrow[-1][3] - narrow[0][3]
        return behind.get("lift", 0) - behind.get("onset", 0), dropped / max(1, sent + dropped)
    finally:
        for process in (sender, sink):
            process.terminate()
            process.wait()
        unlimit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if os.geteuid() != 0 or not shutil.which("tc") or not shutil.which("ffmpeg"):
        print("bottleneck: skipped (needs root, tc and ffmpeg)")
        return
    work = tempfile.mkdtemp(prefix="parley-bottleneck-")
    clip, wav = os.path.join(work, "grain.y4m"), os.path.join(work, "speech.wav")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30",
                    "-vf", "noise=alls=24:allf=t", "-t", "2", "-pix_fmt", "yuv420p", clip], check=True)
    speech_wav(wav, 10)
    make_lab()
    try:
        behind, dropped = ffmpeg_run(clip)
        print(f"ffmpeg, VP8 at 1.5 Mb/s, no rate adaptation (reference, same bucket): never settles; after the {LIMIT:.0f} s "
              f"limit its stream is {behind:.1f} s behind real time (its socket waits on the full queue), "
              f"{dropped:.1%} of its packets dropped")
        for run in range(args.runs):
            before, settled_at, mean, drop_share, climbed = parley_run(args.parley, os.path.join(work, f"run{run}"), clip, wav)
            def show(value, unit):
                return "never" if value is None else f"{value:.2f}{unit}"
            print(f"parley run {run + 1}: {before / 1000:.0f} kb/s before; under {RATE // 1000} kb/s with no drop after "
                  f"{show(settled_at, ' s')} (goal <= 5 s), then {show(mean and mean / 1000, ' kb/s')} on average with "
                  f"{show(drop_share and drop_share * 100, ' %')} of the packets dropped (goal < 2 %); "
                  f"0.8 x the rate before {show(climbed, ' s')} after the lift (goal <= 10 s)")
    finally:
        remove_lab()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
