"""Render a real run of the llmcfg TUI to a PNG (run by assets/screenshot.sh).

The binary runs in a pseudo-terminal whose output a VT emulator (pyte) reads
into a screen of cells, exactly as a terminal would; the cells are then drawn
with Pillow in DejaVu Sans Mono. Nothing on the picture is drawn by hand.

usage: screenshot.py LLMCFG_BINARY OUT.png  (environment: the seeded store)
"""

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time

import pyte
from PIL import Image, ImageDraw, ImageFont

COLS, ROWS = 112, 20
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_SIZE = 15

# xterm's default palette for the 16 named colours pyte reports.
PALETTE = {
    "black": (0, 0, 0), "red": (205, 49, 49), "green": (13, 188, 121),
    "brown": (229, 229, 16), "yellow": (229, 229, 16), "blue": (36, 114, 200),
    "magenta": (188, 63, 188), "cyan": (17, 168, 205), "white": (229, 229, 229),
    "brightblack": (102, 102, 102), "brightred": (241, 76, 76),
    "brightgreen": (35, 209, 139), "brightbrown": (245, 245, 67),
    "brightyellow": (245, 245, 67), "brightblue": (59, 142, 234),
    "brightmagenta": (214, 112, 214), "brightcyan": (41, 184, 219),
    "brightwhite": (255, 255, 255),
}
DEFAULT_FG, DEFAULT_BG = (212, 212, 212), (24, 24, 28)


class AnsweringScreen(pyte.Screen):
    """A screen that answers the terminal queries crossterm sends (device
    attributes, cursor position), as a real terminal does."""

    def __init__(self, cols, rows, master):
        super().__init__(cols, rows)
        self.master = master

    def write_process_input(self, data):
        os.write(self.master, data.encode())


def colour(name, default):
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    try:
        return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return default


def run(binary, screen_until, keys):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    child = subprocess.Popen(
        [binary], stdin=slave, stdout=slave, stderr=slave, env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = AnsweringScreen(COLS, ROWS, master)
    stream = pyte.ByteStream(screen)

    def pump(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    stream.feed(os.read(master, 65536))
                except OSError:
                    return

    deadline = time.monotonic() + 30
    while not all(any(s in line for line in screen.display) for s in screen_until):
        if time.monotonic() > deadline:
            sys.exit("the TUI never showed %r:\n%s" % (screen_until, "\n".join(screen.display)))
        pump(0.2)
    for key in keys:
        os.write(master, key)
        pump(0.5)
    pump(1.0)
    os.write(master, b"q")
    pump(0.5)
    child.wait(timeout=10)
    return screen


def render(screen, out):
    regular = ImageFont.truetype(os.path.join(FONT_DIR, "DejaVuSansMono.ttf"), FONT_SIZE)
    bold = ImageFont.truetype(os.path.join(FONT_DIR, "DejaVuSansMono-Bold.ttf"), FONT_SIZE)
    cw = round(regular.getlength("M"))
    # One line of the font, ascent to descent, so box-drawing lines join.
    ascent, descent = regular.getmetrics()
    ch = ascent + descent
    pad = 12
    img = Image.new("RGB", (COLS * cw + 2 * pad, ROWS * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    for y in range(ROWS):
        row = screen.buffer[y]
        for x in range(COLS):
            cell = row[x]
            fg, bg = colour(cell.fg, DEFAULT_FG), colour(cell.bg, DEFAULT_BG)
            if cell.reverse:
                fg, bg = bg, fg
            px, py = pad + x * cw, pad + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
            if cell.data.strip():
                draw.text((px, py), cell.data,
                          font=bold if cell.bold else regular, fill=fg)
    img.save(out, optimize=True)


def main():
    binary, out = sys.argv[1], sys.argv[2]
    screen = run(binary, ["acme-prod", "✓"], [b"j"])
    render(screen, out)
    print("\n".join(screen.display))


if __name__ == "__main__":
    main()
