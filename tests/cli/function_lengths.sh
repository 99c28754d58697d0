#!/usr/bin/env bash
# Functions a reader can hold in view: every function in sim/, models/ and
# include/pcnsim/ is at most 80 lines (tools/function_lengths.py lists any over).
set -u
src=$2
cd "$src"
/usr/bin/python3 tools/function_lengths.py --limit 80 sim/*/*.cpp models/*.cpp models/*.hpp include/pcnsim/*/*.hpp \
  || { echo "FAIL: functions over 80 lines (split them into named steps)"; exit 1; }
echo "every function in sim/, models/ and include/pcnsim/ is at most 80 lines"
