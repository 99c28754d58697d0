#!/usr/bin/env python3
"""Lines of every function body at namespace level in the given C++ files
(from the first line of its declaration to its closing brace), and the ones
over a limit. A brace counter, not a parser: comments, strings and character
literals are blanked first; namespaces and extern blocks are transparent;
classes and structs are entered, so their member functions count too.

Usage: tools/function_lengths.py [--limit 80] FILE... (exit 1 if any is over)
"""
import argparse
import re
import sys


def blank(text):
    """Comments, string and char literals replaced by spaces (newlines kept)."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|R"(\w*)\(.*?\)\1"|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def functions(path):
    text = blank(open(path, encoding="utf-8").read())
    lines = text.split("\n")
    stack = []  # one entry per open brace: "scope" (namespace/class) or "body"
    decl_start = None
    body_start = None
    found = []
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        in_scope = all(kind == "scope" for kind in stack)
        if in_scope and decl_start is None and stripped and not stripped.startswith(("#", "}", "public:", "private:", "protected:")):
            decl_start = number
        for ch in line:
            if ch == "{":
                if in_scope and all(kind == "scope" for kind in stack):
                    head = " ".join(lines[(decl_start or number) - 1:number]).split("{")[0]
                    if re.search(r"\b(namespace|struct|class|union|enum)\b", head) or "extern" in head or re.search(r"=\s*$", head):
                        stack.append("scope" if not re.search(r"\benum\b|=\s*$", head) else "body")
                        if stack[-1] == "scope":
                            decl_start = None
                    else:
                        stack.append("body")
                        body_start = decl_start or number
                else:
                    stack.append("body")
            elif ch == "}":
                kind = stack.pop() if stack else "scope"
                if kind == "body" and all(k == "scope" for k in stack) and body_start is not None:
                    name = " ".join(lines[body_start - 1:body_start + 1]).split("(")[0].split()[-1:] or ["?"]
                    found.append((number - body_start + 1, path, body_start, name[0]))
                    body_start = None
                decl_start = None
            elif ch == ";" and all(kind == "scope" for kind in stack):
                decl_start = None
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=80)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    over = sorted((f for path in args.files for f in functions(path) if f[0] > args.limit), reverse=True)
    for length, path, line, name in over:
        print(f"{path}:{line}: {name}: {length} lines (limit {args.limit})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
