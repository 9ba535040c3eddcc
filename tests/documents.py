"""Documents for the ingestion tests: long generated prose with a needle, and a small PDF.

The PDF is written by hand (one Helvetica text line per page, a correct cross-reference
table) so the tests need no PDF writer; ``pypdf`` reads it back like any other PDF.
"""

from __future__ import annotations

import random

WORDS = [
    "river",
    "harbour",
    "market",
    "winter",
    "orchard",
    "council",
    "ledger",
    "signal",
    "engine",
    "garden",
    "bridge",
    "lantern",
    "quarry",
    "meadow",
    "archive",
    "vessel",
    "canal",
    "furnace",
    "spindle",
    "harvest",
    "festival",
    "copper",
    "timber",
    "mill",
    "carriage",
    "observatory",
    "granary",
    "parish",
    "tariff",
    "orchard",
    "weaver",
    "chapel",
    "fountain",
    "treaty",
    "guild",
]
VERBS = [
    "opened",
    "closed",
    "repaired",
    "measured",
    "counted",
    "painted",
    "moved",
    "sold",
    "recorded",
    "inspected",
]


def prose(n_paragraphs: int, seed: int = 7) -> list[str]:
    """Paragraphs of plausible, repetitive town-chronicle sentences (no rare words)."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(n_paragraphs):
        sentences = []
        for _ in range(rng.randint(4, 7)):
            a, b, c = rng.sample(WORDS, 3)
            sentences.append(
                f"The {a} near the {b} was {rng.choice(VERBS)} by the {c} keepers in year "
                f"{rng.randint(1700, 1900)}."
            )
        paragraphs.append(" ".join(sentences))
    return paragraphs


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with each page's text (lines split at "\n", printed one under another)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_id = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        shown = []
        for line in text.split("\n"):
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            shown.append(f"({escaped}) Tj")
        stream = f"BT /F1 12 Tf 14 TL 72 720 Td {' T* '.join(shown)} ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
