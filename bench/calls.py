#!/usr/bin/env python3
"""Call benchmark: a 10 s audio call and a 10 s 640x480 VP8 1 Mb/s call between two Parley
daemons, against baresip (Debian package) making the same calls in the same run: CPU
seconds and peak RSS per process over the call, and call set-up time (`call start` to
media flowing at an auto-answering callee, p50 and p99 over 20 calls).

Goals (issue: calls in the node): CPU <= 0.8 x baresip's for each call; set-up p50 <= 300 ms.
Needs a release build (swift build -c release --product parley) and `apt-get install baresip sox ffmpeg`."""
import argparse, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY, Control, Node, wait_for  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU of a process and its threads so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def moving_clip(path, seconds):
    """A moving 640x480 picture at 30 fps as raw Y4M (ffmpeg's testsrc2): both programs read
    the same file and code the same motion at 1 Mb/s (baresip through its avformat module)."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30",
                    "-t", str(seconds), "-pix_fmt", "yuv420p", path], check=True)


def tone_wav(path, seconds, channels=1):
    """A sweep (16-bit, 48 kHz, mono unless told): both programs code it with the same Opus
    settings (VOIP application, mono, 32 kb/s, signal type left to libopus)."""
    subprocess.run(["sox", "-n", "-r", "48000", "-c", str(channels), "-b", "16", path, "synth", str(seconds),
                    "sine", "300-3000", "vol", "0.5"], check=True)


# MARK: Parley

def configured_pair(parley, work, bob_config):
    """Alice and Bob, contacts of each other, Bob answering Alice's calls by himself with the
    devices of his config."""
    alice, bob = Node(parley, "alice", work), Node(parley, "bob", work)
    with open(os.path.join(bob.home, "config"), "w") as f:
        f.write(bob_config)
    alice.run("contacts", "add", bob.id, "--name", "bob", "--address", f"127.0.0.1:{bob.port}")
    bob.run("contacts", "add", alice.id, "--name", "alice", "--address", f"127.0.0.1:{alice.port}")
    alice.start()
    bob.start()
    wait_for(lambda: any(c["online"] for c in alice.status()["contacts"]))
    return alice, bob


def call_state(node):
    return Control(node.home).request(command="call-status").get("call", {}).get("state")


def parley_call(parley, work, seconds, video, wav, clip):
    config = f"audio_input = wav-loop:{wav}\naudio_output = wav:{work}/bob-heard.wav\nvideo_bitrate = 1000\n"
    if video:
        config += f"video_input = y4m:{clip}\n"
    alice, bob = configured_pair(parley, work, config)
    try:
        bob.run("contacts", "calls", "alice", "--auto-answer", "video" if video else "audio")
        devices = {"audio_in": f"wav-loop:{wav}", "audio_out": f"wav:{work}/alice-heard.wav"}
        if video:
            devices.update(video_in=f"y4m:{clip}")
        with open(os.path.join(alice.home, "config"), "w") as f:
            f.write("video_bitrate = 1000\n")
        before = {n.name: cpu_seconds(n.process.pid) for n in (alice, bob)}
        reply = Control(alice.home).request(command="call-start", contact="bob", video=video, devices=devices)
        assert reply["ok"], reply
        wait_for(lambda: call_state(bob) == "active", timeout=20)
        time.sleep(seconds)
        Control(alice.home).request(command="call-hangup")
        time.sleep(0.5)
        return {n.name: (cpu_seconds(n.process.pid) - before[n.name], peak_rss_mb(n.process.pid)) for n in (alice, bob)}
    finally:
        alice.stop()
        bob.stop()


def parley_setup_times(parley, work, calls, wav):
    alice, bob = configured_pair(parley, work, "audio_input = none\naudio_output = none\n")
    times = []
    try:
        bob.run("contacts", "calls", "alice", "--auto-answer", "audio")
        control_a, control_b = Control(alice.home), Control(bob.home)
        for _ in range(calls):
            start = time.monotonic()
            reply = control_a.request(command="call-start", contact="bob", devices={"audio_in": f"wav-loop:{wav}", "audio_out": "none"})
            assert reply["ok"], reply
            while control_b.request(command="call-status").get("call", {}).get("state") != "active":
                time.sleep(0.002)
            times.append((time.monotonic() - start) * 1000)
            control_a.request(command="call-hangup")
            wait_for(lambda: control_b.request(command="call-status").get("call", {}).get("state") == "ended", timeout=10)
    finally:
        alice.stop()
        bob.stop()
    return times


# MARK: baresip

def netstring_command(port, command, params=""):
    message = json.dumps({"command": command, "params": params, "token": "bench"}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(str(len(message)).encode() + b":" + message + b",")
        s.settimeout(0.5)
        try:
            s.recv(65536)
        except socket.timeout:
            pass


def baresip_config(folder, user, sip_port, control_port, rtp_ports, wav=None, video=None, alsa=False,
                   audio_buffer="20-160", jitter_buffer="5-10"):
    """A baresip profile answering by itself over SRTP: audio from `wav` into a bridge that plays
    nowhere, or, with `alsa`, from and to ALSA's pulse plugin (the environment picks the devices).
    Opus as Parley codes it: VOIP application, mono, 32 kb/s (baresip's default is the AUDIO
    application in stereo). `video`: a Y4M file to send (read by the avformat module)."""
    os.makedirs(os.path.join(folder, "rec"), exist_ok=True)
    if alsa:
        devices = ["audio_player alsa,pulse", "audio_source alsa,pulse", "audio_alert alsa,pulse"]
        modules = ["module alsa.so"]
    else:
        devices = [f"audio_player aubridge,sink_{user}", f"audio_source aufile,{wav}", f"audio_alert aubridge,alert_{user}"]
        modules = ["module aufile.so", "module aubridge.so"]
    lines = [
        "poll_method epoll", f"sip_listen 127.0.0.1:{sip_port}", "net_interface 127.0.0.1", *devices,
        "audio_level no", "ausrc_format s16", "auplay_format s16", "auenc_format s16", "audec_format s16",
        f"audio_buffer {audio_buffer}", "video_size 640x480", "video_bitrate 1000000", "video_fps 30.00",
        f"rtp_ports {rtp_ports[0]}-{rtp_ports[1]}", "rtcp_mux yes", f"jitter_buffer_delay {jitter_buffer}",
        "module_path /usr/lib/baresip/modules", "module opus.so", *modules,
        "module srtp.so",
        "module_tmp uuid.so", "module_tmp account.so", "module_app menu.so", "module_app ctrl_tcp.so",
        f"ctrl_tcp_listen 127.0.0.1:{control_port}", "opus_bitrate 32000", "opus_application voip", "opus_stereo no", "opus_sprop_stereo no",
    ]
    if video:
        lines += ["module vp8.so", "module avformat.so", "module fakevideo.so", f"video_source avformat,{video}",
                  "video_display fakevideo,nil"]
    with open(os.path.join(folder, "config"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(folder, "accounts"), "w") as f:
        f.write(f"<sip:{user}@127.0.0.1:{sip_port}>;regint=0;answermode=auto;mediaenc=srtp-mand\n")


def start_baresip(folder, environment=None):
    """baresip on the profile in `folder`, its output in `folder`/log; half a second to start."""
    process = subprocess.Popen(["baresip", "-f", folder], stdin=subprocess.DEVNULL, env={**os.environ, **(environment or {})},
                               stdout=open(os.path.join(folder, "log"), "w"), stderr=subprocess.STDOUT)
    time.sleep(0.5)
    return process


def stop_all(processes):
    """SIGTERM, then SIGKILL after 5 s."""
    for p in processes:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()


def baresip_call(work, seconds, video, wav, clip):
    processes = {}
    for user, sip, control, rtp in (("bob", 5280, 4542, (12020, 12039)), ("alice", 5260, 4541, (12000, 12019))):
        folder = os.path.join(work, f"baresip-{user}")
        baresip_config(folder, user, sip, control, rtp, wav, clip if video else None)
        processes[user] = start_baresip(folder)
    try:
        time.sleep(1.0)
        before = {user: cpu_seconds(p.pid) for user, p in processes.items()}
        netstring_command(4541, "dial", "sip:bob@127.0.0.1:5280")
        time.sleep(seconds + 0.5)   # answering is automatic and takes a few tens of ms
        netstring_command(4541, "hangup")
        time.sleep(0.5)
        return {user: (cpu_seconds(p.pid) - before[user], peak_rss_mb(p.pid)) for user, p in processes.items()}
    finally:
        stop_all(processes.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--setup-calls", type=int, default=20)
    parser.add_argument("--only", choices=["cpu", "setup"], help="run one part only")
    args = parser.parse_args()
    if not all(shutil.which(tool) for tool in ("baresip", "sox", "ffmpeg")):
        sys.exit("baresip, sox and ffmpeg are needed: apt-get install baresip sox ffmpeg")
    work = tempfile.mkdtemp(prefix="parley-bench-calls-")
    wav = os.path.join(work, "in.wav")
    tone_wav(wav, args.seconds + 5)
    clip = os.path.join(work, "moving.y4m")
    if args.only != "setup":
        moving_clip(clip, args.seconds + 6)

    print(f"calls of {args.seconds:.0f} s, CPU seconds over the call and peak RSS per process (lower is better)")
    print(f"{'call':<22}{'side':<7}{'Parley CPU-s':>13}{'baresip CPU-s':>15}{'ratio':>7}{'Parley MB':>11}{'baresip MB':>12}")
    for label, video in (("audio Opus", False), ("video VP8 640x480 1M", True)) if args.only != "setup" else ():
        parley = parley_call(args.parley, os.path.join(work, f"p-{video}"), args.seconds, video, wav, clip)
        reference = baresip_call(os.path.join(work, f"b-{video}"), args.seconds, video, wav, clip)
        for side, reference_side in (("alice", "alice"), ("bob", "bob")):
            p_cpu, p_rss = parley[side]
            b_cpu, b_rss = reference[reference_side]
            ratio = p_cpu / b_cpu if b_cpu else float("nan")
            print(f"{label:<22}{side:<7}{p_cpu:>13.2f}{b_cpu:>15.2f}{ratio:>7.2f}{p_rss:>11.1f}{b_rss:>12.1f}")

    if args.only == "cpu":
        return
    times = sorted(parley_setup_times(args.parley, os.path.join(work, "setup"), args.setup_calls, wav))
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    print(f"call set-up, `call start` -> media flowing at the auto-answering callee, {len(times)} calls: "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {times[-1]:.0f} ms (goal p50 <= 300 ms)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
