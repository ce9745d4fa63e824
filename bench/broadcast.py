#!/usr/bin/env python3
"""Broadcast benchmark: one Parley daemon broadcasts audio and a 640x480 clip (--size) to
V = 0, 1, 5, 10 and 20 viewer daemons on loopback (each a contact of the broadcaster, each watching with
keys of its own). For each V it prints the broadcaster's CPU per second and what one added
viewer costs, against the encoding itself measured in the same run (V = 0: the sources read
and encoded, sent to nobody). The goal: each added viewer costs under 5 % of the encode
cost (encode once, encrypt per viewer). V = 0 is measured first and last (the figures move
between runs on a shared machine); the reference is their mean. A last line fits a straight
line through every point (least squares): its slope over its intercept is the per-viewer
cost against the encoding, from all the points at once.

There is no reference tool for this: the terminal programs Parley is measured against do
not broadcast encrypted video to many (baresip's multicast is plain RTP with PCMU/G722 and
no video). The reference is Parley's own encoding cost, measured in the same run.

The viewers share this machine (each decodes what it gets), so the broadcaster competes
with them for the 2 cores; the line says how busy the machine was.

Needs a release build (swift build -c release --product parley) and ffmpeg (the clip)."""
import argparse, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY, Control, Node, wait_for  # noqa: E402
from group import clip, cpu_seconds, tone  # noqa: E402


def broadcast(parley, work, viewers, video_clip, seconds):
    broadcaster = Node(parley, "alice", work)
    audience = [Node(parley, f"viewer{index}", work) for index in range(1, viewers + 1)]
    nodes = [broadcaster] + audience
    try:
        wav = os.path.join(work, "tone.wav")
        tone(wav, 440)
        with open(os.path.join(broadcaster.home, "config"), "w") as f:
            f.write(f"audio_input = wav-loop:{wav}\nvideo_input = y4m:{video_clip}\n")
        for viewer in audience:
            broadcaster.run("contacts", "add", viewer.id, "--name", viewer.name, "--address", f"127.0.0.1:{viewer.port}")
            viewer.run("contacts", "add", broadcaster.id, "--name", "alice", "--address", f"127.0.0.1:{broadcaster.port}")
        for node in nodes:
            node.start()
        wait_for(lambda: sum(c["online"] for c in broadcaster.status()["contacts"]) == viewers, timeout=90)
        reply = Control(broadcaster.home).request(command="broadcast-start", all=True)
        assert reply["ok"], reply
        for viewer in audience:
            wait_for(lambda: Control(viewer.home).request(command="broadcast-list").get("broadcasts"), timeout=20)
            reply = Control(viewer.home).request(command="broadcast-watch", contact="alice",
                                                 devices={"audio_out": "none", "video_out": "none"})
            assert reply["ok"], reply

        def watching():
            return Control(broadcaster.home).request(command="broadcast-status")["broadcast"]["watching"] == viewers
        wait_for(watching, timeout=60, interval=0.2)
        time.sleep(3)   # past the start: the viewers' keyframes
        before = [cpu_seconds(n.process.pid) for n in nodes]
        start = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - start
        cpu = [(cpu_seconds(n.process.pid) - b) / elapsed for n, b in zip(nodes, before)]
        status = Control(broadcaster.home).request(command="broadcast-status")["broadcast"]
        sent = status.get("sent") or {}
        rate = sum((sent.get(s) or {}).get("bitrate", 0) for s in ("audio_sent", "video_sent")) / 1000
        active = sum(v["state"] == "active" for v in status["viewers"])
        Control(broadcaster.home).request(command="broadcast-stop")
        return cpu[0], sum(cpu), rate, active
    finally:
        for node in nodes:
            node.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--viewers", default="1,5,10,20", help="the viewer counts measured (V = 0 is measured first and last)")
    parser.add_argument("--size", default="640x480", help="the video clip's picture size")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="parley-bench-broadcast-")
    try:
        video_clip = os.path.join(work, "clip.y4m")
        clip(video_clip, args.size)
        print(f"broadcast of audio + {args.size} video, {args.seconds:g} s each, release build:")
        counts = [int(v) for v in args.viewers.split(",") if int(v) > 0]
        # The reference, V = 0, is measured first and last; its mean is the encoding's cost.
        results = {}
        for index, viewers in enumerate([0] + counts + [0]):
            run = os.path.join(work, f"run{index}-v{viewers}")
            os.makedirs(run)
            results.setdefault(viewers, []).append(broadcast(args.parley, run, viewers, video_clip, args.seconds))
        references = [cpu for cpu, _, _, _ in results[0]]
        encode = sum(references) / len(references)
        rate = results[0][0][2]
        print(f"  V= 0: broadcaster {' and '.join(f'{cpu * 100:.1f}' for cpu in references)} % of a core (first and last; "
              f"the encoding, the reference of this run: {encode * 100:.1f} %), stream {rate:.0f} kb/s")
        for viewers in counts:
            cpu, machine, rate, active = results[viewers][0]
            per_viewer = (cpu - encode) / viewers
            print(f"  V={viewers:2d}: broadcaster {cpu * 100:5.1f} % of a core; each viewer adds {per_viewer * 100:.2f} % "
                  f"= {per_viewer / encode * 100:.1f} % of the encoding (goal < 5 %); {active} watching; "
                  f"uplink {rate * viewers:.0f} kb/s; machine {machine:.2f} cores busy")
        # One figure from every point: the least-squares slope of the broadcaster's CPU over V.
        points = [(v, cpu) for v, runs in results.items() for cpu, _, _, _ in runs]
        mean_v = sum(v for v, _ in points) / len(points)
        mean_cpu = sum(c for _, c in points) / len(points)
        slope = sum((v - mean_v) * (c - mean_cpu) for v, c in points) / sum((v - mean_v) ** 2 for v, _ in points)
        intercept = mean_cpu - slope * mean_v
        print(f"  fit over all points: {intercept * 100:.1f} % + {slope * 100:.2f} % per viewer; each viewer = "
              f"{slope / intercept * 100:.1f} % of the encoding (goal < 5 %)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
