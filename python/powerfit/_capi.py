"""The Python binding over powerfit's C API (powerfit.h) through ctypes: what the wheel carries,
so that one package serves every Python 3 interpreter. It offers the same Session as the compiled
module (_powerfit), which is preferred where it was built for the running interpreter."""
import ctypes
import json
import os

_NAMES = ("libpowerfit.so.0", "libpowerfit.so")


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("POWERFIT_LIBRARY", "")] + [os.path.join(here, name) for name in _NAMES] + list(_NAMES)
    problems = []
    for candidate in filter(None, candidates):
        try:
            return ctypes.CDLL(candidate)
        except OSError as error:
            problems.append(str(error))
    raise ImportError("cannot load libpowerfit: " + "; ".join(problems) + "; reinstall the wheel or set POWERFIT_LIBRARY")


_lib = _load()
_handle = ctypes.c_void_p
for _name, _arguments in {
    "powerfit_session_create_json": [ctypes.c_char_p, ctypes.POINTER(_handle)],
    "powerfit_session_start": [_handle],
    "powerfit_session_mark": [_handle, ctypes.c_char_p],
    "powerfit_session_region_begin": [_handle, ctypes.c_char_p],
    "powerfit_session_region_end": [_handle, ctypes.c_char_p],
    "powerfit_session_report_json": [_handle, ctypes.c_char_p],
    "powerfit_session_stop_status": [_handle, ctypes.c_int],
}.items():
    getattr(_lib, _name).argtypes = _arguments
    getattr(_lib, _name).restype = ctypes.c_int
_lib.powerfit_session_summary_json.argtypes = [_handle]
_lib.powerfit_session_summary_json.restype = ctypes.c_char_p
_lib.powerfit_session_region_result_json.argtypes = [_handle, ctypes.c_char_p]
_lib.powerfit_session_region_result_json.restype = ctypes.c_char_p
_lib.powerfit_session_destroy.argtypes = [_handle]
_lib.powerfit_session_destroy.restype = None
_lib.powerfit_last_error.restype = ctypes.c_char_p
_lib.powerfit_version.restype = ctypes.c_char_p

__version__ = _lib.powerfit_version().decode()


class Error(RuntimeError):
    """What powerfit refused, with its one-line message."""


def _check(status):
    if status != 0:
        raise Error(_lib.powerfit_last_error().decode())


class _Region:
    def __init__(self, session, name):
        self._session, self._name = session, name

    def end_json(self):
        _check(_lib.powerfit_session_region_end(self._session._handle, self._name.encode()))
        result = _lib.powerfit_session_region_result_json(self._session._handle, self._name.encode())
        if result is None:
            raise Error(_lib.powerfit_last_error().decode())
        return result.decode()


class Session:
    def __init__(self, out=None, interval="100ms", label="", estimate=True, baseline="0", sources=(),
                 carbon_intensity=None, price=None, gpus=None, settle="30s"):
        options = {"out": out or "", "interval": interval, "label": label, "estimate": estimate, "baseline": baseline,
                   "sources": list(sources), "carbon_intensity": carbon_intensity, "price": price, "gpus": gpus,
                   "settle": settle}
        self._handle = _handle()
        _check(_lib.powerfit_session_create_json(json.dumps(options).encode(), ctypes.byref(self._handle)))
        self.running = False

    def __del__(self):
        if getattr(self, "_handle", None):
            _lib.powerfit_session_destroy(self._handle)

    def start(self):
        _check(_lib.powerfit_session_start(self._handle))
        self.running = True

    def mark(self, name):
        _check(_lib.powerfit_session_mark(self._handle, name.encode()))

    def begin_region(self, name):
        _check(_lib.powerfit_session_region_begin(self._handle, name.encode()))
        return _Region(self, name)

    def report(self, inferences, correct, correct_top5=None, model="", inference_window=None):
        counts = {"inferences": inferences, "correct": correct, "model": model}
        if correct_top5 is not None:
            counts["correct_top5"] = correct_top5
        if inference_window is not None:
            counts["inference_window"] = list(inference_window)
        _check(_lib.powerfit_session_report_json(self._handle, json.dumps(counts).encode()))

    def stop_json(self, status=0):
        _check(_lib.powerfit_session_stop_status(self._handle, status))
        self.running = False
        return _lib.powerfit_session_summary_json(self._handle).decode()
