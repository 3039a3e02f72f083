#!/usr/bin/env python3
"""The repository stands alone: checks its documentation and the citations of it.

    python3 tests/docs/check_docs.py [SOURCE_DIR]

Fails (exit 1, one line per problem) when
  - a tracked text file mentions the team's reference shelf (the sibling directory "shared"),
    which people who clone the repository do not have;
  - a markdown link in README.md or docs/*.md points to a relative path that does not exist;
  - a rule citation ("rule N", "rules N-M, K", "rule Nb", "rule N.M", the Catch2 tag "[ruleN]") in the
    sources, headers, C ABI, tests, examples, benchmarks or Python names a rule that docs/rules.md
    does not define as a heading (or a part such as "Nb" / "N.M" it does not define in bold);
  - a decision label ("D" and a number) in those files is not a heading of docs/decisions.md;
  - README.md's C++ example (the ```cpp block under "## A short example") differs from
    examples/readme_example.cpp, the file the build compiles and ctest runs.
"""

import os
import re
import subprocess
import sys

SHELF = "../" + "shared"  # spelled in two parts so this file does not match itself
CODE_DIRS = ("src/", "include/", "capi/", "tests/", "examples/", "bench/", "python/")
SKIP_DIRS = ("tests/fuzz/corpus/", "tests/fuzz/regressions/", "tests/docs/")
CODE_SUFFIXES = (".h", ".cc", ".cpp", ".c", ".py", ".txt", ".cmake")

NUMBER = r"\d+(?:\.\d+)?[a-z]?"
# "rule 7b", "rules 10-13", "rules 7, 8, 30, 51-55", "rules 26–30 and 42", "rule 43.2-43.5".
CITATION = re.compile(
    r"\b[Rr]ules?\s+(" + NUMBER + r"(?:\s*(?:[-–,]|and|or)\s*" + NUMBER + r")*)")
TAG = re.compile(r"\[rule(" + NUMBER + r")\]")
DECISION = re.compile(r"\bD(\d+)\b")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True, capture_output=True).stdout
        return sorted(p for p in out.decode().split("\0") if p)
    except (OSError, subprocess.CalledProcessError):  # a source tree without git: walk it
        found = []
        for top, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith((".", "build"))]
            found += [os.path.relpath(os.path.join(top, f), root) for f in files]
        return sorted(found)


def read_text(path):
    """The file's text, or None for a binary file."""
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def without_code(markdown):
    """Markdown with fenced blocks and inline code blanked, so code that looks like a link is not one."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", markdown)


def line_of(text, index):
    return text.count("\n", 0, index) + 1


def defined_rules(rules_md):
    numbers = set(re.findall(r"^#{1,6}\s+(\d+)\.\s", rules_md, re.M))
    parts = set(re.findall(r"\*\*(\d+(?:[a-z]|\.\d+))\.\*\*", rules_md))
    return numbers, parts


def cited_rules(group):
    """The rule numbers (and parts) one citation names; a range of whole numbers names each between."""
    cited = []
    tokens = re.findall(r"(" + NUMBER + r")|([-–])", group)
    previous = None
    pending_range = False
    for number, dash in tokens:
        if dash:
            pending_range = previous is not None
            continue
        if pending_range and previous.isdigit() and number.isdigit() and int(previous) < int(number):
            cited += [str(n) for n in range(int(previous) + 1, int(number))]
        pending_range = False
        cited.append(number)
        previous = number
    return cited


def check_rule(number, numbers, parts):
    whole = re.match(r"\d+", number).group(0)
    if whole not in numbers:
        return "rule " + whole + " is not a heading of docs/rules.md"
    if number != whole and number not in parts:
        return "rule " + number + " is not defined in docs/rules.md (expected **" + number + ".**)"
    return None


def check_readme_example(root):
    readme = read_text(os.path.join(root, "README.md")) or ""
    example = read_text(os.path.join(root, "examples", "readme_example.cpp"))
    match = re.search(r"^## A short example\n.*?^```cpp\n(.*?)^```", readme, re.M | re.S)
    if match is None:
        return ["README.md: no ```cpp block under \"## A short example\""]
    if example is None:
        return ["examples/readme_example.cpp: missing"]
    if match.group(1) != example:
        return ["README.md: the C++ example differs from examples/readme_example.cpp (keep them identical)"]
    return []


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
    files = tracked_files(root)
    problems = []

    rules_md = read_text(os.path.join(root, "docs", "rules.md")) or ""
    decisions_md = read_text(os.path.join(root, "docs", "decisions.md")) or ""
    if not rules_md:
        problems.append("docs/rules.md: missing or empty")
    if not decisions_md:
        problems.append("docs/decisions.md: missing or empty")
    numbers, parts = defined_rules(rules_md)
    decisions = set(re.findall(r"^#{1,6}\s+D(\d+)\.\s", decisions_md, re.M))

    for rel in files:
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue  # deleted in the work tree
        text = read_text(path)
        if text is None:
            continue

        index = text.find(SHELF)
        if index >= 0:
            problems.append(f"{rel}:{line_of(text, index)}: mentions {SHELF}, which is not in the repository")

        if rel == "README.md" or (rel.startswith("docs/") and rel.endswith(".md")):
            prose = without_code(text)
            for match in list(LINK.finditer(prose)) + list(REFERENCE.finditer(prose)):
                target = match.group(1)
                if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
                    continue  # a URL or an anchor in the same page
                local = target.split("#", 1)[0]
                resolved = os.path.normpath(os.path.join(os.path.dirname(path), local))
                inside = resolved == root or resolved.startswith(root + os.sep)
                if not inside or not os.path.exists(resolved):
                    problems.append(f"{rel}: link to {target}, which is not in the repository")

        is_code = rel.startswith(CODE_DIRS) or rel.endswith(".py")
        if not is_code or rel.startswith(SKIP_DIRS) or not rel.endswith(CODE_SUFFIXES):
            continue
        for match in CITATION.finditer(text):
            for number in cited_rules(match.group(1)):
                problem = check_rule(number, numbers, parts)
                if problem:
                    problems.append(f"{rel}:{line_of(text, match.start())}: {problem} (\"{match.group(0)}\")")
        for match in TAG.finditer(text):
            problem = check_rule(match.group(1), numbers, parts)
            if problem:
                problems.append(f"{rel}:{line_of(text, match.start())}: {problem} ({match.group(0)})")
        for match in DECISION.finditer(text):
            if match.group(1) not in decisions:
                problems.append(f"{rel}:{line_of(text, match.start())}: D{match.group(1)} is not a heading of "
                                "docs/decisions.md")

    problems.extend(check_readme_example(root))

    for problem in problems:
        print(problem)
    print(f"check_docs: {len(files)} files, {len(numbers)} rules, {len(decisions)} decisions, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
