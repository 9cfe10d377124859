"""How NVML's poller watched the power, stretch by stretch, from the reads that
validation/nvml_count_shim.c lists with NVML_COUNT_POWER set ("nvml_power MS MW THREAD" lines).

The sampling thread reads the power once a tick; the thread whose reads lie closest together is
the poller (the watch, and the reads around each read of the counter). A stretch is a run of the
poller's reads under 150 ms apart. In each, every read that saw the value changed is a change
seen sharply (the read before it, by any thread, at most 15 ms earlier: RefreshClock::kSharpNs)
or late (further apart: the refresh came before the read, by up to that gap); changes are counted
from every thread's reads, late ones from the poller's. A late read of the watch is an aimed pair
that missed its refresh (or a stretch's first read, where that is not aimed); the reads 10 ms
apart after it are the watch looking for the next one.

usage: python3 validation/watch_pairs.py TRACE [TRACE...]    (a file of the shim's report)"""
import collections
import statistics
import sys

SHARP_MS = 15.0
STRETCH_GAP_MS = 150.0


def reads_of(path):
    reads = []
    for line in open(path):
        fields = line.split()
        if len(fields) == 4 and fields[0] == "nvml_power":
            reads.append((float(fields[1]), int(fields[2]), fields[3]))
    return reads


def report(path):
    reads = reads_of(path)
    if not reads:
        print(f"{path}: no nvml_power lines (run with NVML_COUNT_POWER=1)")
        return
    # The poller reads in pairs and runs 10 ms apart, the tick a tick apart: the thread whose
    # reads lie closest together, among those with a few dozen.
    times = collections.defaultdict(list)
    for t, _, thread in reads:
        times[thread].append(t)
    poller = min((thread for thread in times if len(times[thread]) >= 20),
                 key=lambda thread: statistics.median(b - a for a, b in zip(times[thread], times[thread][1:])))
    stretches, current = [], []
    for index, (t, _, thread) in enumerate(reads):
        if thread != poller:
            continue
        if current and t - reads[current[-1]][0] > STRETCH_GAP_MS:
            stretches.append(current)
            current = []
        current.append(index)
    if current:
        stretches.append(current)
    print(f"{path}: {len(reads)} reads of the power, {sum(len(s) for s in stretches)} by the poller")
    print(f"{'from s':>8} {'to s':>8} {'reads':>6} {'sharp':>6} {'late':>5}  late reads (s, ms after the read before)")
    for stretch in stretches:
        sharp, late = 0, []
        # Every thread's reads from the stretch's first to just after its last: a tick's read
        # shortly after the watch's dates a change as sharply.
        for index in range(max(stretch[0], 1), min(stretch[-1] + 2, len(reads))):
            if reads[index][1] == reads[index - 1][1]:
                continue
            gap = reads[index][0] - reads[index - 1][0]
            if gap <= SHARP_MS:
                sharp += 1
            elif reads[index][2] == poller:
                late.append(f"{reads[index][0] / 1e3:.3f} ({gap:.0f})")
        first, last = reads[stretch[0]][0] / 1e3, reads[stretch[-1]][0] / 1e3
        print(f"{first:8.3f} {last:8.3f} {len(stretch):6d} {sharp:6d} {len(late):5d}  {' '.join(late)}")


for trace in sys.argv[1:]:
    report(trace)
