#!/usr/bin/env python3
"""Turn a terminal capture with SGR colour codes (tmux capture-pane -e) into an HTML page.

Usage: ansi2html.py < capture.ansi > page.html
Only the standard library; handles 16, 256 and 24-bit colours, bold, italic, underline, reverse.
"""
import html
import re
import sys

BASE16 = ["#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#cccccc",
          "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (levels[n // 36], levels[(n // 6) % 6], levels[n % 6])
    g = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (g, g, g)


def apply(state, params):
    it = iter(params or [0])
    for p in it:
        if p == 0:
            state.clear()
        elif p in (1, 2, 3, 4, 7):
            state[{1: "bold", 2: "dim", 3: "italic", 4: "underline", 7: "reverse"}[p]] = True
        elif p in (22, 23, 24, 27):
            for k in {22: ("bold", "dim"), 23: ("italic",), 24: ("underline",), 27: ("reverse",)}[p]:
                state.pop(k, None)
        elif 30 <= p <= 37 or 90 <= p <= 97:
            state["fg"] = BASE16[p - 30 if p < 90 else p - 82]
        elif 40 <= p <= 47 or 100 <= p <= 107:
            state["bg"] = BASE16[p - 40 if p < 100 else p - 92]
        elif p in (38, 48):
            kind = next(it, None)
            if kind == 5:
                colour = xterm256(next(it, 0))
            else:
                colour = "#%02x%02x%02x" % (next(it, 0), next(it, 0), next(it, 0))
            state["fg" if p == 38 else "bg"] = colour
        elif p == 39:
            state.pop("fg", None)
        elif p == 49:
            state.pop("bg", None)


def style(state):
    fg, bg = state.get("fg", FG), state.get("bg", BG)
    if state.get("reverse"):
        fg, bg = bg, fg
    css = [f"color:{fg}", f"background:{bg}"]
    if state.get("bold"):
        css.append("font-weight:bold")
    if state.get("italic"):
        css.append("font-style:italic")
    if state.get("underline"):
        css.append("text-decoration:underline")
    if state.get("dim"):
        css.append("opacity:0.7")
    return ";".join(css)


def main():
    text = sys.stdin.read()
    out, state = [], {}
    for part in re.split(r"(\x1b\[[0-9;:]*m)", text):
        m = re.fullmatch(r"\x1b\[([0-9;:]*)m", part)
        if m:
            params = [int(x) for x in re.split(r"[;:]", m.group(1)) if x != ""]
            apply(state, params)
        elif part:
            part = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", part)
            out.append(f'<span style="{style(state)}">{html.escape(part)}</span>')
    print(f"""<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: {BG}; }}
pre {{ margin: 0; padding: 8px; font: 15px/1.2 'DejaVu Sans Mono', monospace; color: {FG}; }}
</style><pre>{''.join(out)}</pre>""")


if __name__ == "__main__":
    main()
