"""Measure a region of a Python program with powerfit: power (measured, or estimated and said so),
CPU, memory and I/O, with your own counts turned into scores.

    import powerfit
    with powerfit.Session(out="runs.db", interval="50ms") as s:
        load_model()
        with s.region("inference"):
            n, k = run_inference()
        s.report(inferences=n, correct=k)
    print(s.summary["regions"], s.summary.get("composite_score"))

`powerfit report runs.db -o report.html` then shows the run."""
import contextlib
import functools
import json

try:  # the module compiled for this interpreter, where it was built
    from ._powerfit import Error, __version__
    from ._powerfit import Session as _Session
except ImportError:  # else the C API through ctypes, as the wheel installs it
    from ._capi import Error, __version__
    from ._capi import Session as _Session

__all__ = ["Error", "Region", "Session", "measure", "__version__"]


def _names(value):
    """Names as a list: a list or tuple as given, one string split on commas as the command line
    splits it ("a,b"), a GPU index as its name."""
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, int):
        return [str(value)]
    return [str(item) for item in value]


class Session:
    """One measured run. `out`: database file (None: a temporary one); `interval`: "1ms" to "60s";
    `baseline`: idle time measured when the session starts ("5s"), for idle power and dynamic energy;
    `settle`: before that baseline, the longest wait for the measured power to stop falling ("0": none);
    `sources`: sample only these (names as `powerfit sensors` lists them, as a list or "a,b"),
    default all available;
    `carbon_intensity` (g CO2e per kWh) and `price` (per kWh): CO2e and cost beside the joules in
    the summary, measured and ESTIMATED apart. `gpus`: the GPUs to count (NVML indices or UUIDs, as
    a list, "0,1" or 0);
    by default, in a job of one process per GPU (torchrun, srun, mpirun), the GPU this rank is
    bound to, with the host's channels counted by local rank 0 alone; `summary["counted"]` says
    what was counted where anything narrowed it."""

    def __init__(self, out=None, interval="100ms", label="", estimate=True, baseline="0", sources=(),
                 carbon_intensity=None, price=None, gpus=None, settle="30s"):
        self._session = _Session(out=out, interval=interval, label=label, estimate=estimate, baseline=baseline,
                                 sources=_names(sources), carbon_intensity=carbon_intensity, price=price,
                                 gpus=None if gpus is None else _names(gpus), settle=settle)
        self.summary = None

    def start(self):
        self._session.start()
        return self

    def stop(self):
        """Stops sampling and returns the summary as a dict (also kept in `self.summary`)."""
        return self._stop(0)

    def _stop(self, status):
        self.summary = json.loads(self._session.stop_json(status))
        return self.summary

    def __enter__(self):
        return self.start()

    def __exit__(self, kind, value, traceback):
        # A block that raised is a failed run (status 1), recorded and never scored.
        if self._session.running:
            self._stop(0 if kind is None else 1)
        return False

    def mark(self, name):
        self._session.mark(name)

    @contextlib.contextmanager
    def region(self, name, sync=None):
        """Marks NAME:start and NAME:end around the block; its time, thread CPU and energy are in the
        summary at stop(), and in `region.result` as soon as the block ends, while the session goes on:
        duration_s, thread_cpu_s, measured_energy_j, estimated_energy_j (apart), the energy of each
        channel, and partial_channels: those with no count at the block's start or stopped inside it,
        whose energy the sums lack. That energy spans the samples taken last before the block's edges
        (`from_s`, `to_s`): an interval's worth may fall either side of each edge; the summary's is
        exact at the edges.
        `sync` (e.g. torch.cuda.synchronize) is called before each edge, so that work queued on a GPU
        falls inside the block; without it, the GPU may still run the block's work after it ends."""
        if sync is not None:
            sync()
        region = Region(name, self._session.begin_region(name))
        try:
            yield region
        finally:
            if sync is not None:
                sync()
            region._end()

    def report(self, inferences, correct, correct_top5=None, model="", inference_window=None):
        """The counts to score on. Scores rest on the energy of `inference_window` ((start, end) in
        time.time() seconds) where given, else on the regions named "inference", else the run."""
        self._session.report(inferences=inferences, correct=correct, correct_top5=correct_top5, model=model,
                             inference_window=inference_window)

    def channels_frame(self):
        """The summary's channels as a pandas DataFrame (pandas must be importable)."""
        import pandas  # only needed here

        if self.summary is None:
            raise Error("no summary before stop(); stop the session first")
        return pandas.DataFrame(self.summary["channels"])


class Region:
    """An open region; `result` holds its figures (a dict) once it has ended, None before."""

    def __init__(self, name, handle):
        self.name, self._handle, self.result = name, handle, None

    def _end(self):
        self.result = json.loads(self._handle.end_json())


def measure(out=None, interval="100ms", region="call"):
    """Decorator: each call of the function runs inside its own session, the call as one region;
    the last summary is kept as `function.last_summary`."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with Session(out=out, interval=interval, label=function.__name__) as session:
                with session.region(region):
                    result = function(*args, **kwargs)
            wrapper.last_summary = session.summary
            return result

        wrapper.last_summary = None
        return wrapper

    return decorate


def _energy_line(summary):
    """One line of what a measured stretch cost: time, then measured and ESTIMATED energy apart."""
    parts = [f"{summary['duration_s']:.3f} s"]
    if summary.get("measured_energy_j") is not None:
        parts.append(f"{summary['measured_energy_j']:.3f} J measured")
    if summary.get("estimated_energy_j") is not None:
        parts.append(f"{summary['estimated_energy_j']:.3f} J ESTIMATED")
    if len(parts) == 1:
        parts.append("no energy measured or estimated (see `powerfit sensors`)")
    return "powerfit: " + ", ".join(parts)


def load_ipython_extension(ipython):
    """`%load_ext powerfit`, then `%%powerfit [--out FILE] [--interval 50ms]` at the top of a cell
    measures the cell and prints its time and energy (measured and ESTIMATED apart); the summary
    is kept in the variable `_powerfit`."""
    from IPython.core.magic import register_cell_magic

    @register_cell_magic("powerfit")
    def powerfit_magic(line, cell):
        words = line.split()
        options = {"out": None, "interval": "100ms"}
        while words:
            word = words.pop(0)
            if word in ("--out", "-o") and words:
                options["out"] = words.pop(0)
            elif word in ("--interval", "-i") and words:
                options["interval"] = words.pop(0)
            else:
                raise Error(f"%%powerfit: unknown option '{word}'; use --out FILE and --interval 50ms")
        with Session(out=options["out"], interval=options["interval"], label="jupyter cell") as session:
            with session.region("cell"):
                outcome = ipython.run_cell(cell)
            if not outcome.success:
                session._stop(1)  # the cell raised: a failed run, as a `with` block that raises is
        ipython.user_ns["_powerfit"] = session.summary
        print(_energy_line(session.summary))
        return outcome.result
