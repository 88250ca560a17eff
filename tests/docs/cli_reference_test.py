#!/usr/bin/env python3
"""docs/cli.md against the binary's --help: every command has a section
("## paiplan COMMAND"), every flag and positional argument the help lists is
named in that section, and every --flag the section names exists (in the
command's help or among the global options).

usage: cli_reference_test.py PAIPLAN_BINARY DOCS_CLI_MD
"""
import re
import subprocess
import sys

COMMANDS = [
    [], ["init"], ["validate"], ["plan"], ["apply"], ["destroy"], ["drift"], ["show"], ["graph"],
    ["render"], ["state", "list"], ["state", "show"], ["state", "rm"], ["state", "pull"],
    ["state", "push"], ["state", "history"], ["state", "rekey"], ["state", "mv"], ["import"], ["output"],
    ["force-unlock"],
]


def help_names(binary, cmd):
    """(flags, positionals) listed by `paiplan CMD --help`."""
    out = subprocess.run([binary, *cmd, "--help"], capture_output=True, text=True, check=True).stdout
    flags, positionals, section = set(), set(), None
    for line in out.splitlines():
        if re.match(r"^(Options|Positionals|Subcommands):", line):
            section = line.split(":")[0]
            continue
        m = re.match(r"^  (\S+)", line)
        if not m or section is None:
            continue
        if section == "Options":
            flags.update(n for n in m.group(1).split(",") if n.startswith("-"))
        elif section == "Positionals":
            positionals.add(m.group(1))
    if "{false}" in out or "INT:INT" in out or "TEXT:" in out:
        raise AssertionError(f"paiplan {' '.join(cmd)} --help shows CLI11 artefacts:\n{out}")
    return flags, positionals


def sections(doc):
    """'## paiplan X' / '## Global options' heading -> body."""
    parts = re.split(r"^## ", doc, flags=re.M)
    return {p.split("\n", 1)[0].strip(): p.split("\n", 1)[1] if "\n" in p else "" for p in parts[1:]}


def main():
    binary, doc_path = sys.argv[1], sys.argv[2]
    secs = sections(open(doc_path, encoding="utf-8").read())
    problems = []
    global_flags, _ = help_names(binary, [])
    for cmd in COMMANDS:
        title = "Global options" if not cmd else "paiplan " + " ".join(cmd)
        body = secs.get(title)
        if body is None:
            problems.append(f"docs/cli.md has no section '## {title}'")
            continue
        flags, positionals = help_names(binary, cmd) if cmd else (global_flags, set())
        own = flags - ({"-h", "--help"} if cmd else set()) - (global_flags if cmd else set())
        for name in sorted(own | positionals):
            if not re.search(r"`" + re.escape(name) + r"[ `=]", body):
                problems.append(f"'## {title}': {name} (in --help) is not documented")
        for name in sorted(set(re.findall(r"`(--[a-z][a-z-]*)", body))):
            if name not in flags and name not in global_flags:
                problems.append(f"'## {title}': {name} is documented but not in --help")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"docs/cli.md matches --help of {len(COMMANDS)} commands")


if __name__ == "__main__":
    main()
