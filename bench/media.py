#!/usr/bin/env python3
"""Media engine benchmark: CPU per second of media through the whole engine against the
bare codecs (libopus, libvpx) doing the same encoding and decoding in the same run, and
end-to-end audio latency over UDP loopback (sample in -> sample out, device buffers
excluded). Runs `parley stream benchmark` from a release build.

Goals (issue: media engine): engine overhead <= 20 % above the bare codecs; audio
latency <= 45 ms at zero loss."""
import argparse, json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import DEFAULT_PARLEY  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=DEFAULT_PARLEY)
    parser.add_argument("--audio-seconds", type=float, default=120)
    parser.add_argument("--video-seconds", type=float, default=20)
    parser.add_argument("--latency-seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3, help="CPU measurements are repeated; the lowest of each side counts")
    args = parser.parse_args()

    results = []
    for run in range(args.runs):
        output = subprocess.run(
            [args.parley, "stream", "benchmark", "--audio-seconds", str(args.audio_seconds),
             "--video-seconds", str(args.video_seconds),
             "--latency-seconds", str(args.latency_seconds if run == 0 else 5)],
            check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output))

    print("media engine vs bare codecs (CPU seconds per second of media, lower is better)")
    print(f"{'stream':<26}{'bare codec':>12}{'engine':>12}{'overhead':>10}")
    for kind, label in (("audio", "audio 48 kHz Opus 32k"), ("video", "video 640x480@30 VP8 1M")):
        # The lowest of each side over the runs: the least disturbed by other load.
        bare = min(r[kind]["bareCodecCPUSeconds"] / r[kind]["mediaSeconds"] for r in results)
        engine = min(r[kind]["engineCPUSeconds"] / r[kind]["mediaSeconds"] for r in results)
        print(f"{label:<26}{bare:>12.4f}{engine:>12.4f}{(engine / bare - 1) * 100:>9.1f}%   ratio engine/bare {engine / bare:.2f}")
    latency = results[0]["latency"]
    print(f"audio latency over UDP loopback, {latency['clicks']} clicks: "
          f"p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms (goal <= 45 ms)")


if __name__ == "__main__":
    main()
