#!/usr/bin/python3
"""Unicode canonical normalisation data for Rewire.HuggingFace, taken from Python's unicodedata (run with /usr/bin/python3).

.NET's string.Normalize does nothing when InvariantGlobalization is on (as in Rewire), so Rewire composes NFC itself
from these tables:

  make_unicode_tables.py tables OUT_FILE   src/Rewire.HuggingFace/Tokenization/Unicode/nfc-data.txt
  make_unicode_tables.py cases OUT_FILE    tests/Rewire.HuggingFace.Tests/Fixtures/unicode/nfc_cases.json

Table lines (hex code points): "c CP CCC" canonical combining class (non-zero only); "d CP A [B]" canonical
decomposition (one level, Hangul syllables excluded: they are algorithmic); "p A B CP" a primary composite (a pair
that NFC composes; composition exclusions and singletons are left out).
"""
import json
import random
import sys
import unicodedata


def tables(out):
    lines = [f"# Unicode {unicodedata.unidata_version}, from Python's unicodedata by tools/hf-fixtures/make_unicode_tables.py"]
    for cp in range(0x110000):
        ch = chr(cp)
        ccc = unicodedata.combining(ch)
        if ccc:
            lines.append(f"c {cp:X} {ccc}")
    for cp in range(0x110000):
        if 0xAC00 <= cp <= 0xD7A3:
            continue
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        lines.append("d " + " ".join(f"{x:X}" for x in [cp] + parts))
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(cp):
            lines.append(f"p {parts[0]:X} {parts[1]:X} {cp:X}")
    with open(out, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")


def cases(out):
    rnd = random.Random(42)
    marks = [cp for cp in range(0x300, 0x370)] + [0x1DC0, 0x20D0, 0x302A, 0x3099, 0x309A, 0x0F72, 0x05B0, 0x0651]
    decomposable = [cp for cp in range(0x110000) if unicodedata.decomposition(chr(cp)) and not unicodedata.decomposition(chr(cp)).startswith("<")]
    samples = []
    # Every character with a canonical decomposition, alone, decomposed, and followed by marks.
    for cp in decomposable:
        samples.append(chr(cp))
        samples.append(unicodedata.normalize("NFD", chr(cp)))
        samples.append(unicodedata.normalize("NFD", chr(cp)) + chr(rnd.choice(marks)) + chr(rnd.choice(marks)))
    # Hangul: syllables, jamo sequences, LV + T.
    for _ in range(300):
        l, v, t = 0x1100 + rnd.randrange(19), 0x1161 + rnd.randrange(21), 0x11A7 + rnd.randrange(28)
        samples.append(chr(l) + chr(v) + (chr(t) if t != 0x11A7 else ""))
        samples.append(chr(0xAC00 + rnd.randrange(11172)) + chr(0x11A8 + rnd.randrange(27)))
    # Random base letters with random mark runs (reordering and blocking).
    bases = "aeiouAEIOUnNcCsSzZyYwWxX" + "".join(chr(c) for c in [0x3B1, 0x3B5, 0x3C9, 0x415, 0x418, 0x5D0, 0x627, 0x915, 0x304B, 0x30CF])
    for _ in range(3000):
        s = "".join(rnd.choice(bases) + "".join(chr(rnd.choice(marks)) for _ in range(rnd.randrange(4))) for _ in range(rnd.randrange(1, 4)))
        samples.append(s)
    samples += ["", "plain ascii", "caf\u00e9", "cafe\u0301", "\u212B", "\u2126", "e\u0301\u0327", "\U0001D15E", "\U0001F600 a\u0308",
                "\u0CC6\u0CC2\u0CD5", "\u0B47\u0B3E", "\u1E9B\u0323", "\u0F73", "\uFB2C", "\U0001133B\U0001133E"]
    result = [[s, unicodedata.normalize("NFC", s)] for s in samples]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"unicode": unicodedata.unidata_version, "cases": result}, f, ensure_ascii=True)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("tables", "cases"):
        print(__doc__)
        sys.exit(2)
    (tables if sys.argv[1] == "tables" else cases)(sys.argv[2])
