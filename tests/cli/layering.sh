#!/usr/bin/env bash
# The layers of the code, and includes that only point down: a file may
# include headers of its own layer or of the layers below it, never above.
#   kernel    world, rng, calendar, errors, geo, kmeans, cluster, progress,
#             chunk_codec
#   params    params (each parameter's one declaration) with the csv and yaml
#             readers its checks use
#   models    models/*: one file pair per mechanism
#   engine    scenario, simulation, recorder, metrics, ensemble, schedule,
#             optimise, sensitivity, spec_file
#   io        h5, output_file, writer, export
#   analysis  validate, membership, compare, calibrate, sweep
#   app       sim/main.cpp
# (The layer of a .cpp is that of its header.) Prints every include that
# points up and fails if there is one.
set -u
src=$2
cd "$src"
layer_of() {  # a header's or source's base name -> layer rank
  case "$1" in
    world|rng|calendar|errors|geo|kmeans|cluster|progress|version|chunk_codec) echo 0 ;;
    params|csv|yaml) echo 1 ;;
    models/*) echo 2 ;;
    scenario|simulation|recorder|metrics|ensemble|schedule|optimise|sensitivity|spec_file|weekly_store) echo 3 ;;
    h5|output_file|writer|export|weekly_output) echo 4 ;;
    validate|membership|compare|calibrate|sweep) echo 5 ;;
    main) echo 6 ;;
    *) echo "?" ;;
  esac
}
name_of() {  # path -> the name layer_of knows
  local base; base=$(basename "$1"); base=${base%.*}
  case "$1" in models/*) echo "models/$base" ;; *) echo "$base" ;; esac
}
bad=0; checked=0
for file in include/pcnsim/*.hpp sim/*.cpp models/*.hpp models/*.cpp; do
  from=$(layer_of "$(name_of "$file")")
  if [ "$from" = "?" ]; then echo "FAIL: $file has no layer (add it to tests/cli/layering.sh)"; bad=1; continue; fi
  while read -r header; do
    [ -z "$header" ] && continue
    case "$header" in
      pcnsim/*) name=${header#pcnsim/}; name=${name%.hpp} ;;
      models/*) name=${header%.hpp} ;;
      *) continue ;;
    esac
    to=$(layer_of "$name")
    checked=$((checked + 1))
    if [ "$to" = "?" ]; then echo "FAIL: $file includes $header, which has no layer"; bad=1
    elif [ "$to" -gt "$from" ]; then echo "FAIL: $file (layer $from) includes $header (layer $to): an include pointing up"; bad=1
    fi
  done < <(grep -o '^#include "[^"]*"' "$file" | sed 's/#include "//; s/"$//')
done
[ $bad -eq 0 ] || exit 1
echo "$checked includes checked: every one points to the same layer or below"
