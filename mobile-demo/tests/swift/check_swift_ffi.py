"""Checks the generated Swift bindings as far as a machine without Swift can.

1. The C header (`wasmi_mobileFFI.h`, what Swift imports through the module
   map) compiles as C with warnings as errors.
2. A C program that includes it, takes the address of every function it
   declares and links against the library: each declaration has a symbol.
3. That program runs the checks the Swift bindings run when they load: the
   UniFFI contract version and every API checksum the Swift file expects.

usage: check_swift_ffi.py <swift bindings dir> <dir of libwasmi_mobile.so> <work dir>
"""

import pathlib
import re
import subprocess
import sys

NAMESPACE = "wasmi_mobile"


def main():
    bindings, lib_dir, work = (pathlib.Path(arg).resolve() for arg in sys.argv[1:4])
    header = bindings / f"{NAMESPACE}FFI.h"
    swift = (bindings / f"{NAMESPACE}.swift").read_text()
    work.mkdir(parents=True, exist_ok=True)

    # 1. The header on its own (`#pragma once` warns when it is the main file).
    subprocess.run(
        ["clang", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-Wno-pragma-once-outside-header",
         "-x", "c", str(header)],
        check=True,
    )
    print(f"ok - {header.name} compiles as C")

    # 2. Every declared function, by address.
    functions = sorted(set(re.findall(r"^[A-Za-z_][\w \*]*?\b((?:uniffi|ffi)_\w+)\(", header.read_text(), re.M)))
    if len(functions) < 20:
        sys.exit(f"found only {len(functions)} function declarations in {header}")

    # 3. What the Swift file checks at load time.
    contract = re.search(r"let bindings_contract_version = (\d+)", swift)
    checksums = re.findall(r"if \((uniffi_\w+_checksum_\w+)\(\) != (\d+)\)", swift)
    if not contract or not checksums:
        sys.exit("the Swift bindings no longer have the expected load-time checks")
    contract_fn = next(f for f in functions if f.endswith("_uniffi_contract_version"))

    program = [f'#include "{header}"', "#include <stdio.h>", "",
               "/* Not static: emitted and relocated, so every symbol must resolve at link time. */",
               "void *const functions[] = {"]
    program += [f"    (void *)&{name}," for name in functions]
    program += ["};", "", "int main(void) {", "    int failures = 0;",
                "    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {",
                "        if (!functions[i]) failures++;",
                "    }",
                f"    if ({contract_fn}() != {contract.group(1)}) {{",
                f'        printf("contract version %u, Swift expects {contract.group(1)}\\n", {contract_fn}());',
                "        failures++;", "    }"]
    for name, value in checksums:
        program += [f"    if ({name}() != {value}) {{",
                    f'        printf("checksum mismatch: {name} = %u, Swift expects {value}\\n", {name}());',
                    "        failures++;", "    }"]
    program += ['    printf("%zu functions linked, %d checksums compared, %d failures\\n",',
                f"           sizeof functions / sizeof functions[0], {len(checksums)}, failures);",
                "    return failures != 0;", "}"]
    source = work / "swift_ffi_check.c"
    source.write_text("\n".join(program) + "\n")
    exe = work / "swift_ffi_check"
    subprocess.run(
        ["clang", "-Wall", "-Werror", "-o", str(exe), str(source), f"-L{lib_dir}", "-lwasmi_mobile",
         f"-Wl,-rpath,{lib_dir}"],
        check=True,
    )
    print(f"ok - all {len(functions)} functions the header declares link against libwasmi_mobile")
    subprocess.run([str(exe)], check=True)
    print(f"ok - contract version and {len(checksums)} checksums match what the Swift bindings expect")


if __name__ == "__main__":
    main()
