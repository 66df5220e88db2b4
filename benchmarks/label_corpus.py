"""Write a synthetic SPL label corpus: N copies of the five shared drug labels, each with fresh identifiers.

For timing the label reader (``benchmarks/labels.py``) at sizes the shared folder will never reach. Copy ``i`` is
made from template ``TEMPLATES[i % 5]`` (the five labels of ``/work/shared/labels``; the pharmacologic-class
indexing file is left out: it is not a label, and DailyMed ships indexing files apart from the label sets), and
the five copies ``5g .. 5g+4`` form *group* ``g``. Every copy is the template's text with exact replacements, so it
stays as realistic as the real label and byte-deterministic:

- **every UUID** (set id, document id, section ids, the UUIDs inside table ``ID`` anchors, ...) becomes a UUID5 of
  ``(seed, group, original UUID)``: the set id and document id are fresh in every copy, and a UUID the originator's
  and the repackager's Lipitor labels share (the repackager kept the originator's section ids) is still shared by
  the two copies of one group, and by no other copy;
- **every NDC** (product and package codes wherever they appear: ``code`` attributes, establishment listings, "NDC
  0074–4339–02" in the text with its en dashes, the hyphen-less "55289800" of an image caption) is replaced, its
  shape kept (4-4-2, 5-3-2 or 5-4-1) and every segment regenerated, by a mapping that depends on the group: so the
  repackager copy's source NDC (``asEquivalentEntity/definingMaterialKind/code``) is the product NDC of the
  originator copy of its group, as in the real pair. The originator always comes first in a group, so the pair is
  complete in every corpus of two or more labels.

**Synthetic NDCs.** Labeler codes are taken from a range this project reserves for synthetic data: 4-digit labelers
``9000``-``9999`` and 5-digit labelers ``99000``-``99999`` (every real labeler code in the shared labels is
``0067``-``0378``, ``55289`` or ``67046``). FDA reserves no NDC range for test data, so a synthetic code may
coincide with a real product's: what makes one synthetic is this range, the file's name and its comment; never look
one up. Within a labeler, product codes are ``block * 10 + rank`` (the original product's rank among its labeler's
products) and package codes are the package's rank among its product's packages, from 1. Each original labeler of a
group gets its own slot ``s = group * K + j`` (``j`` its index among the K original labelers of its shape), mapped
by a seeded bijection onto the slot space; the synthetic labeler is ``base + slot % 1000`` and the block
``slot // 1000``, so no two copies share an NDC unless their originals are one product in one group.

**Marked synthetic.** The file is named ``synthetic-label-NNNNN-<template>`` and its first line carries, right
after the XML declaration (so every line number is the template's), the comment
``<!-- drugkg synthetic benchmark copy of humira.xml ... -->``. The title, names and texts are left as they are.
Synthetic labels are never written under ``data/`` or the shared folder: :func:`make_label_corpus` refuses both.

Example::

    python benchmarks/label_corpus.py --labels 100 --out /tmp/labels-100
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
SHARED_LABELS = SHARED / "labels"

# The originator before its repackager, so that every corpus of two labels or more holds the pair.
TEMPLATES = ("lipitor-orig.xml", "lipitor-repack.xml", "humira.xml", "cough.xml", "no-title.xml")

NDC_SYSTEM = "2.16.840.1.113883.6.69"
# Reserved synthetic labeler ranges, by labeler width: 1,000 codes each (see the module docstring).
LABELER_BASE = {4: 9000, 5: 99000}
LABELERS_PER_WIDTH = 1000
PACKAGE_WIDTH = {(4, 4): 2, (5, 3): 2, (5, 4): 1}  # the three NDC shapes: labeler, product -> package digits
UUID_NAMESPACE = uuid.UUID("1c0d3a52-6b57-5e0b-9a3e-6a2f6e1f1a11")  # this generator's own; any fixed UUID would do

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_NDC_CODE = re.compile(r"<code\b[^>]*>")
_ATTR = re.compile(r'\b(code|codeSystem)="([^"]*)"')
_NDC_SHAPE = re.compile(r"([0-9]{4,5})-([0-9]{3,4})(?:-([0-9]{1,2}))?")
_DASHES = "-\u2013"  # a hyphen, or the en dash some labels print NDCs with


@dataclass(frozen=True)
class _Template:
    """One shared label cut into constant text and the identifiers to replace in it."""

    name: str
    parts: tuple[str, ...]  # text, key, text, key, ..., text
    ndcs: frozenset[str]  # the NDC codes (product and package) stated with the NDC code system


@dataclass(frozen=True)
class LabelCorpus:
    """What :func:`make_label_corpus` wrote: the folder and its files in copy order."""

    out: Path
    seed: int
    files: tuple[Path, ...]

    def template_of(self, path: Path) -> str:
        """The shared label a copy was made from: ``synthetic-label-00042-humira.xml`` -> ``humira.xml``."""
        return path.name.split("-", 3)[3]


class _NdcMap:
    """The synthetic NDC of every original NDC, for one group of copies (see the module docstring)."""

    def __init__(self, ndcs: set[str], seed: int):
        self.labelers: dict[str, tuple[int, int]] = {}  # labeler -> (product width, index among its shape)
        products: dict[str, set[str]] = {}
        packages: dict[tuple[str, str], set[str]] = {}
        for ndc in sorted(ndcs):
            labeler, product, package = _NDC_SHAPE.fullmatch(ndc).groups()
            key = (len(labeler), len(product))
            if key not in PACKAGE_WIDTH or (package is not None and len(package) != PACKAGE_WIDTH[key]):
                raise ValueError(f"NDC {ndc} is not in a 4-4-2, 5-3-2 or 5-4-1 shape")
            width = self.labelers.setdefault(labeler, (len(product), -1))[0]
            if width != len(product):
                raise ValueError(f"labeler {labeler} has product codes of two widths")
            products.setdefault(labeler, set()).add(product)
            if package is not None:
                packages.setdefault((labeler, product), set()).add(package)
        shapes: dict[tuple[int, int], list[str]] = {}
        for labeler in sorted(self.labelers):
            shapes.setdefault((len(labeler), self.labelers[labeler][0]), []).append(labeler)
        self.per_shape = {shape: len(names) for shape, names in shapes.items()}
        for shape, names in shapes.items():
            for j, labeler in enumerate(names):
                self.labelers[labeler] = (shape[1], j)
        self.product_rank = {(lab, p): r for lab, ps in products.items() for r, p in enumerate(sorted(ps))}
        if max(self.product_rank.values(), default=0) > 9:
            raise ValueError("a template labeler has more than 10 products; the block scheme holds 10")
        self.package_rank = {(lab, p, k): r + 1 for (lab, p), ks in packages.items() for r, k in enumerate(sorted(ks))}
        # a seeded bijection of each shape's slot space: slot -> (a * slot + b) mod capacity, a coprime to 10
        rng = random.Random(f"drugkg label corpus {seed}")
        self.affine = {}
        for shape in self.per_shape:
            capacity = LABELERS_PER_WIDTH * 10 ** (shape[1] - 1)
            a = rng.randrange(1, capacity, 2)
            while a % 5 == 0:
                a = rng.randrange(1, capacity, 2)
            self.affine[shape] = (a, rng.randrange(capacity), capacity)

    def capacity_groups(self) -> int:
        """How many groups the slot spaces hold."""
        return min(cap // self.per_shape[shape] for shape, (_, _, cap) in self.affine.items())

    def labeler_block(self, group: int, labeler: str) -> tuple[str, int]:
        width, j = self.labelers[labeler]
        shape = (len(labeler), width)
        a, b, capacity = self.affine[shape]
        slot = (a * (group * self.per_shape[shape] + j) + b) % capacity
        return str(LABELER_BASE[len(labeler)] + slot % LABELERS_PER_WIDTH), slot // LABELERS_PER_WIDTH

    def synthetic(self, group: int, ndc: str) -> str:
        labeler, product, package = _NDC_SHAPE.fullmatch(ndc).groups()
        new_labeler, block = self.labeler_block(group, labeler)
        new_product = str(block * 10 + self.product_rank[(labeler, product)]).zfill(len(product))
        if package is None:
            return f"{new_labeler}-{new_product}"
        return f"{new_labeler}-{new_product}-{str(self.package_rank[(labeler, product, package)]).zfill(len(package))}"


def _stated_ndcs(text: str) -> set[str]:
    """Every code stated with the NDC code system (attributes in either order)."""
    found = set()
    for tag in _NDC_CODE.findall(text):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("codeSystem") == NDC_SYSTEM and attrs.get("code"):
            found.add(attrs["code"])
    return found


def _load_templates(folder: Path) -> tuple[list[_Template], set[str]]:
    texts = {name: (folder / name).read_bytes().decode("utf-8") for name in TEMPLATES}
    all_ndcs = set().union(*(_stated_ndcs(text) for text in texts.values()))
    for ndc in sorted(all_ndcs):
        if not _NDC_SHAPE.fullmatch(ndc):
            raise ValueError(f"a shared label states NDC {ndc!r}, not in a 4-4-2, 5-3-2 or 5-4-1 shape")
    # each NDC as printed with hyphens or en dashes, and hyphen-less (a labeler-product "55289800" in a caption);
    # the longest first, so that a package code is replaced whole and not as its product code plus a tail
    by_digits: dict[str, str] = {}
    for ndc in all_ndcs:
        if by_digits.setdefault(ndc.replace("-", ""), ndc) != ndc:
            raise ValueError(f"NDCs {ndc} and {by_digits[ndc.replace('-', '')]} have the same digits")
    alternatives = [(len(ndc), ndc.replace("-", "[" + _DASHES + "]")) for ndc in all_ndcs]
    alternatives += [(len(digits), digits) for digits in by_digits]
    ndc_regex = "|".join(regex for _, regex in sorted(alternatives, key=lambda a: (-a[0], a[1])))
    pattern = re.compile(rf"(?P<uuid>(?<![0-9A-Fa-f-]){_UUID}(?![0-9A-Fa-f-]))|"
                         rf"(?P<ndc>(?<![0-9A-Za-z])(?:{ndc_regex})(?![0-9]))")
    templates = []
    for name in TEMPLATES:
        text = texts[name]
        if not text.startswith("<?xml"):
            raise ValueError(f"{folder / name} does not start with an XML declaration")
        parts: list = []
        last = 0
        for match in pattern.finditer(text):
            parts.append(text[last:match.start()])
            found = match.group()
            if match.group("uuid"):
                parts.append(("uuid", found.lower(), found.isupper()))
            else:
                parts.append(("ndc", by_digits[re.sub("[" + _DASHES + "]", "", found)], found))
            last = match.end()
        parts.append(text[last:])
        templates.append(_Template(name, tuple(parts), frozenset(_stated_ndcs(text))))
    return templates, all_ndcs


def _render(ndc: str, synthetic: str, printed: str) -> str:
    """The synthetic NDC printed as the original was: the same separators (hyphen, en dash, none)."""
    if "-" not in printed and "\u2013" not in printed:
        return synthetic.replace("-", "")
    seps = iter(c for c in printed if c in _DASHES)
    return "".join(next(seps) if c == "-" else c for c in synthetic)


def _check_out(out: Path) -> None:
    resolved = out.resolve()
    for forbidden in (ROOT / "data", SHARED):
        if resolved == forbidden.resolve() or forbidden.resolve() in resolved.parents:
            raise ValueError(f"{out} is inside {forbidden}: synthetic labels are never written there; "
                             "write them under a temporary folder")
    if resolved.exists() and (not resolved.is_dir() or any(resolved.iterdir())):
        raise ValueError(f"{out} exists and is not an empty folder; give a new or empty folder")


def file_name(index: int, n: int, template: str) -> str:
    """The name of copy ``index`` of an ``n``-label corpus.

    >>> file_name(42, 100, "humira.xml"), file_name(42, 1_000_000, "cough.xml")
    ('synthetic-label-00042-humira.xml', 'synthetic-label-000042-cough.xml')
    """
    return f"synthetic-label-{index:0{max(5, len(str(n - 1)))}d}-{template}"


def make_label_corpus(n: int, out_dir: str | Path, seed: int = 0,
                      labels_dir: str | Path = SHARED_LABELS) -> LabelCorpus:
    """Write ``n`` synthetic SPL labels into ``out_dir`` (created; it must be new or empty), made from the shared labels.

    The same ``n`` and ``seed`` always write byte-identical files. Raises ValueError for a folder under ``data/`` or
    the shared folder, a non-empty folder, or ``n`` past what the synthetic NDC ranges hold (about 250,000 labels).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     corpus = make_label_corpus(7, pathlib.Path(tmp) / "labels")
    ...     [corpus.template_of(p) for p in corpus.files][:3], corpus.files[5].name
    (['lipitor-orig.xml', 'lipitor-repack.xml', 'humira.xml'], 'synthetic-label-00005-lipitor-orig.xml')
    """
    if n < 0:
        raise ValueError(f"the number of labels must be 0 or more, not {n}")
    out = Path(out_dir)
    _check_out(out)
    templates, all_ndcs = _load_templates(Path(labels_dir))
    ndc_map = _NdcMap(all_ndcs, seed)
    groups = -(-n // len(templates))
    if groups > ndc_map.capacity_groups():
        raise ValueError(f"{n:,} labels need {groups:,} groups of NDCs; the synthetic ranges hold "
                         f"{ndc_map.capacity_groups():,} ({ndc_map.capacity_groups() * len(templates):,} labels)")
    out.mkdir(parents=True, exist_ok=True)
    files = []
    group_ndcs: dict[str, str] = {}
    group_uuids: dict[str, str] = {}
    for index in range(n):
        group, which = divmod(index, len(templates))
        template = templates[which]
        if which == 0:
            group_ndcs, group_uuids = {}, {}
        pieces = []
        for i, part in enumerate(template.parts):
            if i % 2 == 0:
                pieces.append(part)
                continue
            kind, original, extra = part
            if kind == "uuid":
                new = group_uuids.get(original)
                if new is None:
                    new = group_uuids[original] = str(uuid.uuid5(UUID_NAMESPACE, f"{seed}:{group}:{original}"))
                pieces.append(new.upper() if extra else new)
            else:
                new = group_ndcs.get(original)
                if new is None:
                    new = group_ndcs[original] = ndc_map.synthetic(group, original)
                pieces.append(_render(original, new, extra))
        text = "".join(pieces)
        declaration_end = text.index("?>") + 2
        comment = (f"<!-- drugkg synthetic benchmark copy of {template.name} (copy {index} of seed {seed}): "
                   "every UUID and NDC replaced, NDC labeler codes from the synthetic ranges 9000 to 9999 and "
                   "99000 to 99999; not a real label -->")
        path = out / file_name(index, n, template.name)
        path.write_bytes((text[:declaration_end] + comment + text[declaration_end:]).encode("utf-8"))
        files.append(path)
    return LabelCorpus(out, seed, tuple(files))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write N synthetic SPL labels made from the shared labels (benchmark data, never real facts).",
        epilog="example: python benchmarks/label_corpus.py --labels 100 --out /tmp/labels-100")
    parser.add_argument("--labels", type=int, required=True, help="number of labels to write")
    parser.add_argument("--out", type=Path, required=True, help="a new or empty folder (never under data/)")
    parser.add_argument("--seed", type=int, default=0, help="changes every UUID and the NDC slots (default 0)")
    args = parser.parse_args(argv)
    try:
        corpus = make_label_corpus(args.labels, args.out, args.seed)
    except (ValueError, OSError) as exc:
        print(f"label_corpus.py: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(corpus.files)} synthetic labels into {corpus.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
