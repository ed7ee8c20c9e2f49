#!/usr/bin/env bash
# tape.sh check FILE    checks a VHS tape without VHS: every line is a known
#                       command or setting, settings and Output/Require come
#                       before the first action, regexes are /…/, Type is quoted.
# tape.sh replay FILE   plays its actions against bash in tmux (Type, keys,
#                       Sleep, Wait+Screen as grep -E), to see the tape's waits
#                       match the real binary. Leaves nothing running.
set -euo pipefail
mode=${1:?usage: tape.sh check|replay FILE}
tape=${2:?usage: tape.sh check|replay FILE}
[ -f "$tape" ] || { echo "tape.sh: $tape: no such file" >&2; exit 2; }

settings='Shell|FontFamily|FontSize|LetterSpacing|LineHeight|Width|Height|Padding|Margin|MarginFill|BorderRadius|WindowBar|WindowBarSize|Theme|TypingSpeed|Framerate|PlaybackSpeed|LoopOffset|CursorBlink|WaitTimeout|WaitPattern'
keys='Enter|Backspace|Delete|Insert|Tab|Space|Escape|Up|Down|Left|Right|PageUp|PageDown|Home|End|ScrollUp|ScrollDown'
dur='[0-9]+(\.[0-9]+)?(ms|s|m)?'

check() {
  awk -v settings="^Set ($settings) " -v keys="^(($keys)(@$dur)?)( [0-9]+)?$" -v dur="$dur" '
    function bad(msg) { printf "%s:%d: %s: %s\n", FILENAME, NR, msg, $0; errs++ }
    /^[ \t]*(#|$)/ { next }
    /^Output [^ ]+\.(gif|mp4|webm|txt|ascii)$/ || /^Output [^ ]+\/$/ { if (acted) bad("Output after an action"); next }
    /^Require [^ ]+$/ { if (acted) bad("Require after an action"); next }
    /^Set / { if ($0 !~ settings) bad("unknown setting"); else if (acted) bad("Set after an action (VHS ignores it)"); next }
    { acted = 1 }
    /^Type(@[0-9.]+(ms|s))? "([^"\\]|\\.)*"$/ { next }
    /^Type(@[0-9.]+(ms|s))? `[^`]*`$/ { next }
    /^Sleep [0-9.]+(ms|s|m)?$/ { next }
    /^(Hide|Show|Copy|Paste)$/ { next }
    /^Wait(\+(Screen|Line))?(@[0-9.]+(ms|s|m))?( \/.+\/)?$/ { next }
    /^(Ctrl|Alt|Shift)(\+(Ctrl|Alt|Shift))*\+[^ ]+$/ { next }
    /^Screenshot [^ ]+\.png$/ { next }
    /^Env [A-Za-z_][A-Za-z0-9_]* "[^"]*"$/ { next }
    /^Source [^ ]+\.tape$/ { next }
    $0 ~ keys { next }
    { bad("not a VHS command") }
    END { if (!acted) { print FILENAME ": no actions"; errs++ } exit errs > 0 }
  ' "$tape"
}

replay() {
  local sock="tape-replay-$$" t0 timeout re
  local T=(tmux -L "$sock")
  trap '"${T[@]}" kill-server 2>/dev/null || true' EXIT
  "${T[@]}" -f /dev/null new-session -d -s tape -x "${COLS:-100}" -y "${ROWS:-30}" "PS1='> ' bash --norc"
  "${T[@]}" set-option -t tape status off
  timeout=$(sed -n 's/^Set WaitTimeout \([0-9]*\)s$/\1/p' "$tape" | tail -1)
  while IFS= read -r line; do
    case $line in
    '' | '#'* | Output* | Require* | Set* | Hide | Show) continue ;;
    'Type "'*) s=${line#Type \"}; s=${s%\"}; s=${s//\\\"/\"}; "${T[@]}" send-keys -t tape -l "$s" ;;
    Sleep*) s=${line#Sleep }; case $s in *ms) sleep "$(awk "BEGIN{print ${s%ms}/1000}")" ;; *s) sleep "${s%s}" ;; esac ;;
    Wait*)
      re='>[[:space:]]*$'; [[ $line == *' /'*'/' ]] && { re=${line#* /}; re=${re%/}; re=${re//\\\//\/}; }
      t0=$SECONDS
      until "${T[@]}" capture-pane -p -t tape | grep -Eq -- "$re"; do
        if ((SECONDS - t0 > ${timeout:-15})); then
          "${T[@]}" capture-pane -p -t tape >&2
          echo "tape.sh: timed out: $line" >&2; return 1
        fi
        sleep 0.3
      done ;;
    Escape) "${T[@]}" send-keys -t tape Escape; sleep 0.3 ;;
    Enter | Up | Down | Left | Right | Tab | Space | Backspace) "${T[@]}" send-keys -t tape "$line" ;;
    Up\ * | Down\ *) for ((i = 0; i < ${line#* }; i++)); do "${T[@]}" send-keys -t tape "${line% *}"; done ;;
    Ctrl+?) "${T[@]}" send-keys -t tape "C-${line#Ctrl+}" ;;
    *) echo "tape.sh: replay does not know: $line" >&2; return 1 ;;
    esac
    echo "ok  $line"
  done <"$tape"
}

case $mode in
check | replay) "$mode" ;;
*) echo "usage: tape.sh check|replay FILE" >&2; exit 2 ;;
esac
