#!/usr/bin/env bash
# The layers of the code, each a folder, and includes that only point down: a
# file may include headers of its own layer or of the layers below it, never
# above. Sources are sim/<layer>/, headers include/pcnsim/<layer>/:
#   kernel    world, RNG streams, calendar, errors, geography, k-means, the
#             cluster and worker pool, the chunk codec, the output registry's types, and the
#             parameter declarations with the CSV and YAML readers they use
#   models    models/*: one file pair per mechanism, and the model (model.hpp)
#   engine    scenario, the step loop (simulation), recorder, weekly stores,
#             metrics, ensembles, scheduling, optimiser, sensitivity, spec files
#   io        HDF5, output files, the run tables, writer, export
#   analysis  validate, membership, compare, calibrate, sweep
#   app       sim/app/main.cpp (the command line), load and serve (the explorer)
# Prints every include that points up, and every file outside a layer, and
# fails if there is one.
set -u
src=$2
cd "$src"
rank_of() {  # kernel|models|engine|io|analysis|app -> rank
  case "$1" in
    kernel) echo 0 ;; models) echo 1 ;; engine) echo 2 ;; io) echo 3 ;; analysis) echo 4 ;; app) echo 5 ;;
    *) echo "?" ;;
  esac
}
layer_of_file() {  # a source or header path -> its layer name
  case "$1" in
    models/*) echo models ;;
    sim/*/*|include/pcnsim/*/*) local rest=${1#sim/}; rest=${rest#include/pcnsim/}; echo "${rest%%/*}" ;;
    *) echo "?" ;;
  esac
}
layer_of_include() {  # an include as written -> its layer name
  case "$1" in
    models/*) echo models ;;
    pcnsim/*/*) local rest=${1#pcnsim/}; echo "${rest%%/*}" ;;
    *) echo "?" ;;
  esac
}
bad=0; checked=0
for file in include/pcnsim/* sim/* ; do
  [ -d "$file" ] && [ "$(rank_of "$(basename "$file")")" = "?" ] && { echo "FAIL: $file is not a layer"; bad=1; }
  [ -f "$file" ] && { echo "FAIL: $file is outside the layer folders"; bad=1; }
done
for file in include/pcnsim/*/*.hpp sim/*/*.cpp models/*.hpp models/*.cpp; do
  from=$(rank_of "$(layer_of_file "$file")")
  [ "$from" = "?" ] && { echo "FAIL: $file is in no layer"; bad=1; continue; }
  while read -r header; do
    [ -z "$header" ] && continue
    case "$header" in pcnsim/*|models/*) ;; *) continue ;; esac
    to=$(rank_of "$(layer_of_include "$header")")
    checked=$((checked + 1))
    if [ "$to" = "?" ]; then echo "FAIL: $file includes $header, which is in no layer"; bad=1
    elif [ "$to" -gt "$from" ]; then echo "FAIL: $file ($(layer_of_file "$file")) includes $header: an include pointing up"; bad=1
    fi
  done < <(grep -o '^#include "[^"]*"' "$file" | sed 's/#include "//; s/"$//')
done
[ $bad -eq 0 ] || exit 1
echo "$checked includes checked: every one points to the same layer or below"
