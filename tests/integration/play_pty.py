#!/usr/bin/env python3
"""brink play, driven through a pseudo-terminal as a student would use it.

Usage: play_pty.py BRINK   (run from the repository root). Prints 'N passed, N failed'.
"""
import os
import pty
import select
import subprocess
import sys
import time

BRINK = sys.argv[1]
SCENARIO = "tests/data/scenarios/small.yaml"
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def play(answers, extra=(), eof_after=None, timeout=60):
    """Runs brink play in a pty, answering each 'Your move' prompt from `answers` (the last
    answer repeats). Sends Ctrl-D at prompt number `eof_after`. Returns (exit code, transcript)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([BRINK, "play", SCENARIO, "--as", "blue", "--seed", "5", *extra],
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out, prompts, deadline = b"", 0, time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
            while out.count(b"Your move") > prompts:
                prompts += 1
                if eof_after is not None and prompts >= eof_after:
                    os.write(master, b"\x04")  # Ctrl-D on an empty line: end of input
                else:
                    answer = answers[min(prompts - 1, len(answers) - 1)]
                    os.write(master, answer.encode() + b"\n")
        elif proc.poll() is not None:
            break
    else:
        proc.kill()
        check(False, "brink play did not finish within %d s" % timeout)
    code = proc.wait(timeout=10)
    os.close(master)
    return code, out.decode(errors="replace").replace("\r\n", "\n")


# A full game with mistakes along the way: gentle re-prompts, then the end-of-game comparison.
code, text = play(["abc", "99", "talk", "1"])
check(code == 0, "full game exit code %s" % code)
check("Please type a number from 1 to" in text, "no gentle re-prompt after bad input")
check(text.count("Please type a number") == 2, "expected exactly two re-prompts (abc and 99)")
check("Your game ended in " in text, "no final outcome")
check("Your path: wait, talk" not in text and "Your path: talk" in text, "the first accepted move should be talk")
check("over 2000 runs from the same start" in text and "<- your outcome" in text, "no Monte Carlo comparison")
check("=== Tick 1 (day 7) === ladder: 2 buildup" in text, "the first situation is not shown")

# The same seed and the same moves replay the same game.
code2, text2 = play(["abc", "99", "talk", "1"])
check(code2 == 0 and text2 == text, "the same seed and moves gave a different game")

# q ends cleanly (exit 0); so does Ctrl-D, but with its own exit code (3), so that a script
# whose moves ran out is told apart from a player who chose to stop.
code, text = play(["2", "q"])
check(code == 0 and "Game ended early after 1 tick. Replay it with --seed 5 --run 0" in text,
      "q did not end the game cleanly (exit %s)" % code)
code, text = play(["1"], eof_after=3)
check(code == 3 and "Game ended early after 2 ticks" in text, "Ctrl-D: exit %s, expected 3" % code)
check("the input ended before the game did" in text, "Ctrl-D: no message saying the input ended")

# A number keeps its move all game (its place in the menu): a move the situation rules out is
# listed apart and refused by its number, not replaced by whatever is listed fifth.
code, text = play(["5", "2", "q"], extra=["--set", "world.variables.trust.initial=0.1"])
check("Not possible this week: 5) agree" in text and " 5) agree " not in text, "agree (needs trust 0.25) offered at trust 0.1")
check("agree is not possible this week" in text, "typing 5 for a move ruled out was not refused")
check("You chose talk." in text and " 2) talk " in text, "2 is not talk, or the chosen move is not echoed")
check(text.count("You chose") == 1, "exactly one move was chosen")

# A leader that is not in the scenario is a usage error.
bad = subprocess.run([BRINK, "play", SCENARIO, "--as", "nobody"], capture_output=True, text=True)
check(bad.returncode == 2 and "--as must be blue or red" in bad.stderr, "--as nobody: exit %s" % bad.returncode)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
