"""libpowerfit.so exports its public interface and nothing else: every dynamic symbol it defines
is a C function of powerfit.h or a C++ name declared POWERFIT_EXPORT in include/powerfit.

usage: python3 check_exports.py LIBPOWERFIT_SO"""
import re
import subprocess
import sys

# The public surface, as demangled names begin (typeinfo and vtables of exported classes included).
PUBLIC = re.compile(r"^(powerfit_[a-z_]+$"
                    r"|powerfit::Session::"
                    r"|powerfit::Error::"
                    r"|powerfit::Summary::to_json\b"
                    r"|powerfit::to_string\("
                    r"|powerfit::unit_from_string\("
                    r"|powerfit::kind_from_string\("
                    r"|(typeinfo|typeinfo name|vtable) for powerfit::(Session|Error)\b)")


def main(library):
    listing = subprocess.run(["nm", "-DC", "--defined-only", library], capture_output=True, text=True, check=True).stdout
    names = [line.split(" ", 2)[2] for line in listing.splitlines() if line.count(" ") >= 2]
    # Standard-library templates instantiated over an exported type (a std::set of Session::Region*)
    # take its visibility; they are the compiler's, not an interface.
    ours = [name for name in names if "powerfit" in name and not name.startswith("std::")]
    leaked = [name for name in ours if not PUBLIC.match(name)]
    for name in leaked:
        print(f"exported but not public: {name}")
    missing = [want for want in ("powerfit_session_create", "powerfit_version", "powerfit::Session::start()")
               if not any(name.startswith(want) for name in ours)]
    for want in missing:
        print(f"public but not exported: {want}")
    print(f"{len(ours)} powerfit symbols exported, {len(leaked)} not public")
    return 1 if leaked or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
