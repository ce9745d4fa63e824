#!/usr/bin/env python3
"""Terminal video renderer benchmark: time and bytes per frame of Parley's renderer
(`parley view --bench`, release build) against chafa on the same frames in the same run.

Clips (made with ffmpeg): a moving 640x480 testsrc clip, a still frame (one testsrc frame
shown N times) and a busy clip (testsrc2 with noise on every frame, like a camera), each rendered to 80x24 and 200x60 cells in Unicode half blocks, 24-bit
colour. Parley keeps the last frame's cells and sends only the changed ones (its bytes
after the first frame are what a terminal receives); chafa draws every frame whole from
an uncompressed XWD file, one process for all the frames (start-up excluded by timing
N frames and 1 frame). Time is CPU time (Parley: the rendering thread's; chafa: the
process's user + system time), which other load on the machine does not inflate; wall
time is printed for Parley too. Parley renders on one thread; chafa runs with --threads 1
(and once with its default threads for reference).

Goals (issue: terminal video renderer): <= 0.5 ms per 640x480 -> 80x24 frame, <= 25 KB per
moving frame at 80x24 after diffing, 0 bytes for a still frame."""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY  # noqa: E402

SIZES = ["80x24", "200x60"]


def make_clips(directory, frames):
    moving = os.path.join(directory, "moving.y4m")
    still = os.path.join(directory, "still.y4m")
    busy = os.path.join(directory, "busy.y4m")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=640x480:rate=30,noise=alls=12:allf=t",
                    "-frames:v", str(frames), "-pix_fmt", "yuv420p", busy], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=30",
                    "-frames:v", str(frames), "-pix_fmt", "yuv420p", moving], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=30",
                    "-frames:v", "1", "-pix_fmt", "yuv420p", still], check=True)
    # The same frames as uncompressed XWD pictures for chafa (its fastest loader).
    for name, path, count in (("moving", moving, frames), ("still", still, 1), ("busy", busy, frames)):
        os.makedirs(os.path.join(directory, name))
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", path, "-frames:v", str(count), "-f", "image2",
                        "-c:v", "xwd", os.path.join(directory, name, "f%04d.xwd")], check=True)
    return {"moving": moving, "still": still, "busy": busy}


def parley_run(parley, clip, size, frames):
    output = subprocess.run([parley, "view", "y4m:" + clip, "--bench", "--size", size, "--frames", str(frames),
                             "--renderer", "blocks", "--colors", "truecolor"],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def chafa_run(files, size, threads):
    """Seconds per frame (start-up excluded) and bytes per frame of chafa drawing `files`."""
    base = ["chafa", "--format", "symbols", "--size", size, "--colors", "full", "--symbols", "vhalf",
            "--animate", "off", "--polite", "on", "--duration", "0"]
    if threads:
        base += ["--threads", str(threads)]

    def timed(paths):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(base + paths, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return cpu, len(result.stdout)

    one, _ = min(timed(files[:1]) for _ in range(3))
    many, size_bytes = timed(files)
    per_frame = (many - one) / max(1, len(files) - 1) if len(files) > 1 else one
    return per_frame, size_bytes / len(files), one


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=os.environ.get("PARLEY_BIN", DEFAULT_PARLEY))
    parser.add_argument("--frames", type=int, default=150, help="frames of the moving clip (30 fps)")
    parser.add_argument("--runs", type=int, default=3, help="the lowest time of the runs counts for each side")
    args = parser.parse_args()
    if shutil.which("chafa") is None:
        sys.exit("chafa is needed (Debian: apt-get install chafa)")
    if not os.path.exists(args.parley):
        sys.exit(f"no parley at {args.parley}: build it with `swift build -c release` (or give --parley)")

    directory = tempfile.mkdtemp(prefix="parley-renderer-bench-")
    try:
        clips = make_clips(directory, args.frames)
        xwd = {name: sorted(os.path.join(directory, name, f) for f in os.listdir(os.path.join(directory, name)))
               for name in clips}
        # The still frame shown as many times as the moving clip has frames.
        xwd["still"] = xwd["still"] * args.frames
        print(f"terminal video renderer vs chafa {subprocess.run(['chafa', '--version'], capture_output=True, text=True).stdout.split()[2]}"
              f" — 640x480 testsrc, half blocks, 24-bit colour, {args.frames} frames, lowest of {args.runs} runs")
        print(f"{'clip':<8}{'cells':>8}{'parley ms':>11}{'(wall)':>8}{'chafa ms':>10}{'x faster':>9}"
              f"{'parley B/frame':>16}{'(first)':>9}{'chafa B/frame':>15}{'x fewer':>9}")
        goals = []
        for name in ("moving", "still", "busy"):
            for size in SIZES:
                ours = [parley_run(args.parley, clips[name], size, args.frames) for _ in range(args.runs)]
                ours_ms = min(r["meanCPUMicroseconds"] for r in ours) / 1000
                ours_wall = min(r["meanMicroseconds"] for r in ours) / 1000
                ours_bytes = ours[0]["meanBytes"]
                first = ours[0]["firstFrameBytes"]
                theirs = [chafa_run(xwd[name], size, 1) for _ in range(args.runs)]
                chafa_ms = min(t[0] for t in theirs) * 1000
                chafa_bytes = theirs[0][1]
                fewer = f"{chafa_bytes / ours_bytes:>8.1f}x" if ours_bytes > 0 else f"{'all':>9}"
                print(f"{name:<8}{size:>8}{ours_ms:>11.3f}{ours_wall:>8.3f}{chafa_ms:>10.2f}{chafa_ms / ours_ms:>8.0f}x"
                      f"{ours_bytes:>16,.0f}{first:>9,}{chafa_bytes:>15,.0f}{fewer}")
                if size == "80x24":
                    if name == "moving":
                        goals.append(("<= 0.5 ms per 640x480 -> 80x24 frame", ours_ms <= 0.5,
                                      f"{ours_ms:.3f} CPU-ms ({ours_wall:.3f} ms wall)"))
                        goals.append(("<= 25 KB per moving 80x24 frame", ours_bytes <= 25_000, f"{ours_bytes:,.0f} B"))
                    elif name == "still":
                        goals.append(("0 bytes for a still frame", ours_bytes == 0 and ours[0]["repeatBytes"] == 0,
                                      f"{ours_bytes:.0f} B"))
        per_frame, _, one = chafa_run(xwd["moving"][:30], "80x24", None)
        print(f"chafa with its default threads: {per_frame * 1000:.2f} CPU-ms per 80x24 frame; "
              f"one frame as a process (start-up included): {one * 1000:.1f} CPU-ms")
        for goal, met, value in goals:
            print(f"goal {goal}: {value} {'met' if met else 'NOT met'}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
