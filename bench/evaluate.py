"""Accuracy of the parser on texts with gold annotations.

    python bench/evaluate.py RAW_DIR GOLD_DIR

Every ``GOLD_DIR/<name>.yaml`` is compared with the record extracted from the file ``RAW_DIR/<name>.*``.
Printed per file and overall (micro-averaged):

* numbered references: precision / recall / F1 over the set of normalised codes (gold references with an id;
  "numbered: false" ones are skipped). Codes are normalised the same way on both sides
  (`graph.patterns.normalize_code`: "27/NQ- TW" = "27-NQ/TW", "TƯ" = "TW").
* relation accuracy: among matched references, the share whose relation equals the gold relation.
* assignees: per task label (a task missing on one side counts all its names as missed or wrong).
  Matching rule for names: both names are reduced to a key (no diacritics, no tone placement, lower case,
  punctuation removed, a leading "các"/"những" dropped); a predicted name is correct when its key equals a gold
  key of the same task or one contains the other as whole words (the shorter at least two syllables long), so
  "Sở" alone matches nothing but "Các tỉnh ủy, thành ủy" matches "Các tỉnh ủy, thành ủy, đảng ủy trực thuộc
  Trung ương". Precision = correct predicted names / predicted names; recall = gold names matched
  by some predicted name / gold names.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph import extract_text  # noqa: E402
from graph.normalize import match_key  # noqa: E402
from graph.patterns import normalize_code  # noqa: E402

TEXT_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class FileScore:
    name: str
    refs: Counts = field(default_factory=Counts)
    assignees: Counts = field(default_factory=Counts)
    relations_right: int = 0
    relations_total: int = 0
    missed_refs: list = field(default_factory=list)
    extra_refs: list = field(default_factory=list)


def name_key(name: str) -> str:
    key = match_key(name)
    for lead in ("cac ", "nhung "):
        if key.startswith(lead):
            key = key[len(lead):]
    return key


def names_match(a: str, b: str) -> bool:
    """Equal keys, or whole-word containment with the shorter name at least two words long."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    return len(short.split()) >= 2 and f" {short} " in f" {long_} "


def _read(path: Path) -> str:
    try:
        from graph.readers import read_text  # the readers stage, when present
    except ImportError:
        return path.read_text(encoding="utf-8-sig")
    return read_text(path)


def score_file(raw: Path, gold_path: Path) -> FileScore:
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8")) or {}
    record = extract_text(_read(raw), source=str(raw))
    score = FileScore(raw.stem)
    gold_refs = {}
    for r in gold.get("references") or []:
        if r.get("id") and r.get("numbered", True) is not False:
            gold_refs[normalize_code(str(r["id"])) or str(r["id"])] = r
    pred_refs = {}
    for r in record.references:
        if r.code:
            pred_refs[normalize_code(r.code) or r.code] = r
    for code, g in gold_refs.items():
        if code in pred_refs:
            score.refs.tp += 1
            score.relations_total += 1
            score.relations_right += pred_refs[code].relation == g.get("relation")
        else:
            score.refs.fn += 1
            score.missed_refs.append(code)
    for code in pred_refs:
        if code not in gold_refs:
            score.refs.fp += 1
            score.extra_refs.append(code)
    gold_tasks = {str(t["label"]): [str(a) for a in t.get("assignees") or []] for t in gold.get("tasks") or []}
    pred_tasks = {t.label: [o.name for o in t.assignees] for t in record.tasks}
    for label in set(gold_tasks) | set(pred_tasks):
        g, p = gold_tasks.get(label, []), pred_tasks.get(label, [])
        correct = sum(any(names_match(x, y) for y in g) for x in p)
        found = sum(any(names_match(x, y) for x in p) for y in g)
        score.assignees.tp += found
        score.assignees.fn += len(g) - found
        score.assignees.fp += len(p) - correct
    return score


def evaluate(raw_dir: str | Path, gold_dir: str | Path) -> tuple[list[FileScore], FileScore]:
    """Score every gold file against its raw text; returns the per-file scores and the overall (micro) score."""
    raw_dir, gold_dir = Path(raw_dir), Path(gold_dir)
    scores = []
    for gold_path in sorted(gold_dir.glob("*.yaml")):
        raw = next((raw_dir / (gold_path.stem + s) for s in TEXT_SUFFIXES if (raw_dir / (gold_path.stem + s)).exists()),
                   None)
        if raw is None:
            raise SystemExit(f"{gold_path}: no text named {gold_path.stem}.* in {raw_dir}")
        scores.append(score_file(raw, gold_path))
    total = FileScore("overall")
    for s in scores:
        total.refs.add(s.refs)
        total.assignees.add(s.assignees)
        total.relations_right += s.relations_right
        total.relations_total += s.relations_total
    return scores, total


def _line(s: FileScore) -> str:
    rel = f"{s.relations_right}/{s.relations_total}" if s.relations_total else "-"
    return (f"{s.name:<40} refs P {s.refs.precision:.2f} R {s.refs.recall:.2f} F1 {s.refs.f1:.2f}   "
            f"assignees P {s.assignees.precision:.2f} R {s.assignees.recall:.2f} F1 {s.assignees.f1:.2f}   "
            f"relations {rel}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python bench/evaluate.py RAW_DIR GOLD_DIR", file=sys.stderr)
        return 2
    for d in argv:
        if not Path(d).is_dir():
            print(f"Error: {d}: not a folder", file=sys.stderr)
            return 1
    logging.getLogger("graph").setLevel(logging.ERROR)  # per-document warnings are not scores
    scores, total = evaluate(*argv)
    for s in scores:
        print(_line(s))
        if s.missed_refs or s.extra_refs:
            print(f"{'':<40} missed {s.missed_refs}  extra {s.extra_refs}")
    print(_line(total))
    if total.relations_total:
        print(f"relation accuracy {total.relations_right / total.relations_total:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
