#!/usr/bin/env python3
"""Mouth-to-ear latency of a call: what goes into alice's microphone until it comes out of
bob's speaker, device buffers, codec, network, jitter buffer and playout included, for
Parley and for baresip (Debian package, default and tuned buffers) in the same run.

The sound devices are PulseAudio null sinks (no sound card needed; both Parley and baresip
reach them through ALSA's pulse plugin): a stereo sink `rec` whose left channel carries what alice's
microphone hears (`inA`) and whose right channel carries what bob's speaker plays (`outB`),
recorded with one `parec`, so both sides of the measurement share one clock. A short
sweep goes into the microphone every second; the delay of each is the time from its onset
on the left to its onset on the right. Prints p50, p99 and max, and the growth from the
first minute to the last (a buffer that creeps shows there).

Goal (issue: call quality): Parley p50 <= 60 ms and below baresip's.
Needs a release build (swift build -c release --product parley), `apt-get install pulseaudio
pulseaudio-utils libasound2-plugins baresip`."""
import argparse, array, math, os, shutil, signal, statistics, subprocess, sys, tempfile, time, wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY, Node, wait_for  # noqa: E402
from calls import baresip_config, call_state, netstring_command, start_baresip, stop_all  # noqa: E402

RATE = 48000
PERIOD = 1.0          # one sweep a second
SWEEP = 0.05          # of 50 ms


def sweep_wav(path, seconds):
    """A 300 Hz -> 3 kHz sweep of 50 ms at half scale every second, silence between (16-bit mono)."""
    samples = array.array("h", bytes(2 * int(seconds * RATE)))
    length = int(SWEEP * RATE)
    for start in range(0, len(samples) - length, int(PERIOD * RATE)):
        phase = 0.0
        for i in range(length):
            frequency = 300 + (3000 - 300) * i / length
            phase += 2 * math.pi * frequency / RATE
            envelope = min(1.0, i / 48, (length - i) / 48)   # 1 ms ramps: no click
            samples[start + i] = int(16000 * envelope * math.sin(phase))
    with wave.open(path, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(samples.tobytes())


class SoundBus:
    """A private PulseAudio with the null sinks of the measurement."""

    def __init__(self, work):
        self.folder = os.path.join(work, "pulse")
        os.makedirs(self.folder, mode=0o700)
        self.socket = os.path.join(self.folder, "sock")
        self.environment = {"PULSE_SERVER": f"unix:{self.socket}", "XDG_RUNTIME_DIR": self.folder, "HOME": self.folder}
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes", "--use-pid-file=no",
             "-L", f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
             "-L", "module-null-sink sink_name=rec channels=2 rate=48000"],
            env={**os.environ, **self.environment}, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.folder, "log"), "w"))
        wait_for(lambda: self.pactl("info", check=False).returncode == 0, timeout=10, interval=0.1)
        self.pactl("load-module", "module-remap-sink", "sink_name=inA", "master=rec", "channels=1",
                   "master_channel_map=front-left", "channel_map=mono", "remix=no")
        self.pactl("load-module", "module-remap-sink", "sink_name=outB", "master=rec", "channels=1",
                   "master_channel_map=front-right", "channel_map=mono", "remix=no")
        self.pactl("load-module", "module-null-sink", "sink_name=outA", "channels=2", "rate=48000")
        self.pactl("load-module", "module-null-sink", "sink_name=inB", "channels=2", "rate=48000")

    def pactl(self, *arguments, check=True):
        return subprocess.run(["pactl", *arguments], env={**os.environ, **self.environment}, capture_output=True, check=check)

    def measure(self, signal_path, seconds, output):
        """Records `rec` while the signal plays into alice's microphone for `seconds`."""
        environment = {**os.environ, **self.environment}
        recorder = subprocess.Popen(["parec", "-d", "rec.monitor", "--file-format=wav", "--rate=48000", "--channels=2",
                                     "--latency-msec=20", output], env=environment)
        time.sleep(0.5)
        player = subprocess.Popen(["paplay", "-d", "inA", "--latency-msec=20", signal_path], env=environment)
        time.sleep(seconds)
        player.terminate()
        time.sleep(1.0)      # the last sweep arrives
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=5)
        player.wait(timeout=5)

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=5)


def delays(path):
    """(time, delay ms) of every sweep: onset on the left (microphone) to onset on the right (speaker)."""
    with wave.open(path, "rb") as f:
        frames = array.array("h", f.readframes(f.getnframes()))
    left, right = frames[0::2], frames[1::2]
    threshold = 3000
    results = []
    i, n = 0, len(left)
    while i < n:
        if abs(left[i]) < threshold:
            i += 1
            continue
        # The right channel's onset within 1 s after the left's.
        j, end = i, min(n, i + RATE)
        while j < end and abs(right[j]) < threshold:
            j += 1
        if j < end:
            results.append((i / RATE, (j - i) * 1000 / RATE))
        i += int(0.5 * RATE)   # past this sweep
    return results


def summary(name, measured, seconds):
    values = sorted(d for _, d in measured)
    if not values:
        print(f"{name:<34} no sweep arrived")
        return None
    p50 = statistics.median(values)
    p99 = values[min(len(values) - 1, int(round(0.99 * (len(values) - 1))))]
    minute = min(60.0, seconds / 3)
    first = [d for t, d in measured if t < minute]
    last = [d for t, d in measured if t >= seconds - minute]
    growth = statistics.median(last) - statistics.median(first) if first and last else float("nan")
    print(f"{name:<34}{len(values):>7}{p50:>9.1f}{p99:>9.1f}{values[-1]:>9.1f}{growth:>+10.1f}")
    return p50


def parley_latency(parley, work, bus, signal_path, seconds, config=""):
    os.makedirs(work)
    alice, bob = Node(parley, "alice", work), Node(parley, "bob", work)
    for node in (alice, bob):
        with open(os.path.join(node.home, "config"), "w") as f:
            f.write("audio_input = alsa:pulse\naudio_output = alsa:pulse\nlan_discovery = off\nport_mapping = off\n" + config)
    alice.run("contacts", "add", bob.id, "--name", "bob", "--address", f"127.0.0.1:{bob.port}")
    bob.run("contacts", "add", alice.id, "--name", "alice", "--address", f"127.0.0.1:{alice.port}")
    alice.start({**bus.environment, "PULSE_SOURCE": "inA.monitor", "PULSE_SINK": "outA"})
    bob.start({**bus.environment, "PULSE_SOURCE": "inB.monitor", "PULSE_SINK": "outB"})
    try:
        wait_for(lambda: any(c["online"] for c in alice.status()["contacts"]))
        bob.run("contacts", "calls", "alice", "--auto-answer", "audio")
        alice.run("call", "start", "bob")
        wait_for(lambda: call_state(bob) == "active", timeout=15)
        output = os.path.join(work, "rec.wav")
        bus.measure(signal_path, seconds, output)
        alice.run("call", "hangup")
        return delays(output)
    finally:
        alice.stop()
        bob.stop()


def baresip_latency(work, bus, signal_path, seconds, audio_buffer, jitter_buffer):
    processes = {}
    for user, sip, control, rtp, source, sink in (("bob", 5380, 4642, (13020, 13039), "inB.monitor", "outB"),
                                                  ("alice", 5360, 4641, (13000, 13019), "inA.monitor", "outA")):
        folder = os.path.join(work, user)
        # Through ALSA's pulse plugin, as Parley: the same device path on both sides of the comparison.
        baresip_config(folder, user, sip, control, rtp, alsa=True, audio_buffer=audio_buffer, jitter_buffer=jitter_buffer)
        processes[user] = start_baresip(folder, {**bus.environment, "PULSE_SOURCE": source, "PULSE_SINK": sink})
    try:
        time.sleep(1.0)
        netstring_command(4641, "dial", "sip:bob@127.0.0.1:5380")
        time.sleep(1.5)
        output = os.path.join(work, "rec.wav")
        bus.measure(signal_path, seconds, output)
        netstring_command(4641, "hangup")
        return delays(output)
    finally:
        stop_all(processes.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--seconds", type=float, default=600, help="length of each call (the issue asks for 10 minutes)")
    parser.add_argument("--no-baresip", action="store_true", help="measure Parley only")
    parser.add_argument("--low-latency-only", action="store_true",
                        help="measure only Parley with audio_latency = 20 (implies --no-baresip; for the 10-minute run)")
    args = parser.parse_args()
    if args.low_latency_only:
        args.no_baresip = True
    for tool in ("pulseaudio", "pactl", "parec", "paplay") + (() if args.no_baresip else ("baresip",)):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install pulseaudio pulseaudio-utils libasound2-plugins baresip")
    work = tempfile.mkdtemp(prefix="parley-bench-latency-")
    bus = SoundBus(work)
    try:
        signal_path = os.path.join(work, "sweeps.wav")
        sweep_wav(signal_path, args.seconds + 1)
        print(f"mouth-to-ear latency, one sweep a second for {args.seconds:.0f} s per call (ms; growth: last minute's median - first's)")
        print(f"{'call':<34}{'sweeps':>7}{'p50':>9}{'p99':>9}{'max':>9}{'growth':>10}")
        parley = None if args.low_latency_only else summary(
            "Parley (defaults)", parley_latency(args.parley, os.path.join(work, "parley"), bus, signal_path, args.seconds), args.seconds)
        low = summary("Parley (audio_latency = 20)", parley_latency(args.parley, os.path.join(work, "parley-20"), bus, signal_path, args.seconds,
                                                              "audio_latency = 20\n"), args.seconds)
        if not args.no_baresip:
            default = summary("baresip 1.0 (default buffers)", baresip_latency(
                os.path.join(work, "baresip-default"), bus, signal_path, args.seconds, "20-160", "5-10"), args.seconds)
            tuned = summary("baresip 1.0 (audio 20-60, jitter 1-10)", baresip_latency(
                os.path.join(work, "baresip-tuned"), bus, signal_path, args.seconds, "20-60", "1-10"), args.seconds)
            if parley and low and default and tuned:
                print(f"ratio Parley / baresip p50: defaults {parley / default:.2f} (baresip default), {parley / tuned:.2f} (tuned); "
                      f"audio_latency = 20 {low / default:.2f}, {low / tuned:.2f}; goal Parley <= 60 ms and below both")
    finally:
        bus.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
