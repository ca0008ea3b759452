//! The text after each subcommand's `--help`: its exit codes (what the code
//! returns, `cmd::EXIT_*`) and an example or two, run from the repository root.

pub const EXPLORE: &str = "\
Exit codes:
  0  safe: no lost work (irq_work), or the file's condition is unreachable (forall: it holds in every final state)
  1  violation: lost work, a fault or a deadlock is reachable, or the file's condition is reachable (forall: it
     fails in some final state)
  2  could not run: bad arguments, an unreadable or unparsable file
  3  bounded: --max-states, --max-memory or --timeout stopped the search (or its promise certification)
     before an answer (nothing found so far); the message says which bound, and which loop when one never ends
With several models (--model sc,tso,arm or all): 1 if any model gives 1, else 3 if any gives 3, else 0.
JSON verdict: for irq_work (or a file without a condition) safe, violation or bounded; for a file with a
condition reachable, unreachable or bounded (violation when the run itself goes wrong), with every final state;
for a forall condition holds, fails or bounded. condition_holds: the condition as litmus decides it.

Examples:
  weaksim explore irq_work --variant racy --model tso --cores 2 --save-trace lost.json
  weaksim explore examples/sb.ucode --model sc,tso,arm   (one result per model)
  weaksim explore irq_work --variant fixed --model arm --explain
  weaksim explore examples/sb.ucode --model tso --format json";

pub const RUN: &str = "\
Exit codes:
  0  no run ended in a violation
  1  some run ended in a violation (lost work, a fault or a deadlock); the first failing seed is printed
  2  could not run: bad arguments, an unreadable file or timing model
With several models (--model sc,tso,arm or all), 1 if any model saw a violation.

Examples:
  weaksim run irq_work --variant racy --model tso --seed 0 --runs 100000 --save-trace lost.json
  weaksim run irq_work --variant fixed --model all --runs 10000";

pub const CALIBRATE: &str = "\
Exit codes:
  0  measured; no fenced test observed, no run ended in a final state the exhaustive search calls unreachable
  1  some run contradicts the exhaustive search or a fence (the rows are named): a bug in the model or scheduler
  2  could not run: bad arguments, ../shared/litmus (or --litmus DIR) missing, an unreadable timing model

Examples:
  weaksim calibrate --runs 1000000      (the table in docs/timing.md)
  weaksim calibrate --runs 20000 --format json";

pub const SWEEP: &str = "\
Exit codes:
  0  no cell saw a violation
  1  some cell saw a violation (its first failing seed and the command replaying it are in the output)
  2  could not run: bad arguments, an unreadable shard or timing model, an output that cannot be written

Example:
  weaksim sweep irq_work --variants racy,fixed --models tso,arm --cores 2..=4 --seeds 0..1000 --out rates.csv";

pub const MERGE: &str = "\
Exit codes:
  0  merged
  2  could not merge: an unreadable shard, or shards of different sweeps

Example:
  weaksim merge part-*.json --out rates.csv   (see docs/cluster.md)";

pub const LITMUS: &str = "\
Exit codes:
  0  every file ran to a verdict (Ok or No: the condition's answer is in the output, as with herd7)
  2  some file could not run (unreadable, not parsed, unsupported, or it faulted: mixed-size access); \
the others still print
  3  some file was stopped by a search bound (--max-states): it prints `Bounded`, never a verdict
When both 2 and 3 apply, the exit code is 2.

Examples:
  weaksim litmus --model tso ../shared/litmus/x86/SB.litmus
  weaksim litmus --model sc,tso,arm ../shared/litmus/x86/SB.litmus   (one line per model)
  weaksim litmus --model arm --format json ../shared/litmus/aarch64/*.litmus";

pub const REPLAY: &str = "\
Exit codes:
  0  the trace replays and ends without a violation
  1  the trace ends in a violation (lost work, a fault or a deadlock)
  2  could not replay: an unreadable trace, or one that does not fit its program or model

Example:
  weaksim explore irq_work --variant racy --model tso --save-trace lost.json
  weaksim replay lost.json";

pub const EXPLAIN: &str = "\
Exit codes:
  0  explained (and the DOT/SVG files written)
  2  could not: an unreadable trace, or --svg without Graphviz (the DOT text is written instead)

Example:
  weaksim explore irq_work --variant racy --model tso --save-trace lost.json
  weaksim explain lost.json --svg lost.svg   (see docs/explain.md)";

pub const STEADY: &str = "\
Exit codes:
  0  no operation lost its work
  1  some operation lost its work (the rate and its 95% interval are printed)
  2  could not run: bad arguments, an unreadable timing file

Example:
  weaksim steady --variant racy --model tso --ops 2000000 --think exp:1000";

pub const BENCH: &str = "\
Exit codes:
  0  measured
  2  could not run: bad arguments

Example:
  weaksim bench";

pub const SHOW: &str = "\
Exit codes:
  0  printed
  2  could not: bad arguments, an unreadable or unparsable file

Examples:
  weaksim show irq_work --variant claim-fetch-or --cores 2
  weaksim show examples/sb.ucode";

pub const TUI: &str = "\
Exit codes:
  0  quit normally
  2  could not start: not a terminal, bad arguments, an unreadable file or trace
The screen needs at least 40×12 characters; at 80×24 every part of the lesson shows.

Examples:
  weaksim tui irq_work --variant fixed --model arm --cores 2
  weaksim tui --trace lost.json
  weaksim tui ../shared/litmus/x86/SB.litmus";

pub const DEMO: &str = "\
Exit codes:
  0  quit normally (or --print-script printed the script)
  2  could not start: not a terminal, an unreadable or invalid script

Examples:
  weaksim demo
  weaksim demo --print-script > lesson.toml   (edit it, then: weaksim demo lesson.toml)";

pub const COMPLETIONS: &str = "\
Exit codes:
  0  printed
  2  an unknown shell

Examples:
  weaksim completions bash > ~/.local/share/bash-completion/completions/weaksim
  weaksim completions zsh > ~/.zfunc/_weaksim     (with `fpath+=~/.zfunc` before compinit)
  weaksim completions fish > ~/.config/fish/completions/weaksim.fish";

pub const MAN: &str = "\
Exit codes:
  0  written
  2  the folder cannot be written

Examples:
  weaksim man | man -l -
  weaksim man --dir ~/.local/share/man/man1   (weaksim.1 and one page per subcommand)";

pub const FUZZ_MODELS: &str = "\
Program i is generated from seed SEED+i (2-4 cores, up to --max-ops operations each: loads, stores,
every RMW flavour and ordering, CAS that succeeds and fails, exclusives, DMB/DSB/ISB, dependencies,
bounded loops). Each disagreement prints its seed, the final states only one side has, and the command
that reproduces it.

Exit codes:
  0  every program agrees
  1  some program disagrees
  2  could not run: bad arguments, a model without both faces
  3  no disagreement, but a bound made some program inconclusive

Example:
  weaksim fuzz-models --model arm --seed 0 --count 1000 --threads 2";
