#!/usr/bin/env python3
"""Group call benchmark: N = 2…6 Parley daemons on loopback in one call (a mesh: every pair
connected directly), audio only and with video. For each N it prints, per participant, the
CPU it spends per second of call and what it sends (its uplink: every leg's audio and video
as `call status` reports them), and how both grow against the call between two measured in
the same run (the per-peer cost: a mesh participant encodes and encrypts once per peer).

There is no reference tool for this: the terminal programs this one is measured against
do not hold encrypted video calls of more than two (baresip mixes audio only and has no
video conferencing; Tox group calls are audio only). The figures are Parley's own scaling.

All N daemons share this machine, so N × the per-participant CPU must stay under its cores
(2 here) for the call to run in real time; the line says when it does not.

Needs a release build (swift build -c release --product parley) and ffmpeg (the clip)."""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY, Control, Node, wait_for  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
NAMES = ["alice", "bob", "carol", "dave", "erin", "frank"]
TONES = [440, 550, 660, 770, 880, 990]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def tone(path, frequency):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000",
                    "-t", "2", "-ac", "1", "-c:a", "pcm_s16le", path], check=True)


def clip(path, size, seconds=10):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30",
                    "-t", str(seconds), "-pix_fmt", "yuv420p", path], check=True)


def participants(node):
    call = Control(node.home).request(command="call-status").get("call", {})
    return call.get("participants", [])


def group_call(parley, work, count, video, video_clip, budget_kbps, seconds):
    nodes = [Node(parley, name, work) for name in NAMES[:count]]
    try:
        for index, node in enumerate(nodes):
            wav = os.path.join(work, f"{node.name}.wav")
            tone(wav, TONES[index])
            config = f"audio_input = wav-loop:{wav}\naudio_output = wav:{work}/{node.name}-heard.wav\nvideo_bitrate = {budget_kbps}\n"
            if video:
                config += f"video_input = y4m:{video_clip}\n"
            with open(os.path.join(node.home, "config"), "w") as f:
                f.write(config)
            for other in nodes:
                if other is not node:
                    node.run("contacts", "add", other.id, "--name", other.name, "--address", f"127.0.0.1:{other.port}")
        for node in nodes:
            node.start()
        for node in nodes:
            wait_for(lambda: sum(c["online"] for c in node.status()["contacts"]) == count - 1, timeout=60)
        for node in nodes[1:]:
            node.run("contacts", "calls", nodes[0].name, "--auto-answer", "video" if video else "audio")
        reply = Control(nodes[0].home).request(command="call-start", contacts=[n.name for n in nodes[1:]],
                                               contact=nodes[1].name, video=video)
        assert reply["ok"], reply

        def connected():
            return all(sum(p["state"] == "active" for p in participants(n)) == count - 1 for n in nodes)
        wait_for(connected, timeout=30, interval=0.2)
        time.sleep(3)   # past the start: keyframes, the rate settling
        before = [cpu_seconds(n.process.pid) for n in nodes]
        start = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - start
        cpu = [(cpu_seconds(n.process.pid) - b) / elapsed for n, b in zip(nodes, before)]
        uplink = []
        for node in nodes:
            sent = 0
            for leg in participants(node):
                statistics = leg.get("statistics") or {}
                for stream in ("audio_sent", "video_sent"):
                    sent += (statistics.get(stream) or {}).get("bitrate", 0)
            uplink.append(sent / 1000)
        Control(nodes[0].home).request(command="call-hangup")
        return sum(cpu) / count, sum(uplink) / count
    finally:
        for node in nodes:
            node.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--max", type=int, default=6, help="largest group (2-6)")
    parser.add_argument("--size", default="320x240", help="the video clip's picture size")
    parser.add_argument("--budget", type=int, default=600, help="video_bitrate: each participant's video uplink, kb/s")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="parley-bench-group-")
    try:
        video_clip = os.path.join(work, "clip.y4m")
        clip(video_clip, args.size)
        cores = os.cpu_count() or 1
        for video in (False, True):
            kind = f"audio + {args.size} video ({args.budget} kb/s budget)" if video else "audio only"
            print(f"group calls, {kind}, {args.seconds:g} s each, release build:")
            base = None
            for count in range(2, args.max + 1):
                run = os.path.join(work, f"{'v' if video else 'a'}{count}")
                os.makedirs(run)
                cpu, uplink = group_call(args.parley, run, count, video, video_clip, args.budget, args.seconds)
                base = base or (cpu, uplink)
                load = cpu * count
                note = "" if load < cores * 0.9 else f"  (all {count} on {cores} cores: {load:.2f} cores busy, near saturation)"
                print(f"  N={count}: per participant {cpu * 100:5.1f} % of a core ({cpu / base[0]:.2f} × N=2), "
                      f"uplink {uplink:6.0f} kb/s ({uplink / base[1]:.2f} × N=2){note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
