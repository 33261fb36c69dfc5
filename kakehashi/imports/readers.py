"""Read CSV (UTF-8 with or without BOM, CP932, UTF-16) and XLSX into a header and rows.

Pure: bytes in, strings out. Row numbers are spreadsheet rows (the header is row 1), which is
what people see when they open the file in Excel to fix it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_BYTES = 100 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_ZIP_RATIO = 100
DELIMITERS = ",\t;|"


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX we can read safely; the message says why."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""
    kind: str = "csv"
    notes: list[str] = field(default_factory=list)


def detect_encoding(raw: bytes) -> str:
    """BOM first; then strict UTF-8; then CP932 (never shift_jis: it lacks ①, ㈱, 髙, 﨑)."""
    return _detect(raw)[0]


def _detect(raw: bytes) -> tuple[str, str | None]:
    """The encoding, and the text when telling it meant decoding the whole file (CP932)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", None
    sample = raw[: 1024 * 1024]
    try:
        sample.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start >= len(sample) - 3 and len(raw) > len(sample):
            return "utf-8", None
    try:
        return "cp932", raw.decode("cp932")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file is neither UTF-8, UTF-16 nor CP932 (Shift_JIS) text.")
        ) from None


SNIFF_CHARS = 64 * 1024  # the delimiter is told from the first lines, not the whole file


def detect_delimiter(text: str) -> str:
    lines = text[:SNIFF_CHARS].splitlines()
    if len(text) > SNIFF_CHARS and len(lines) > 1:
        lines.pop()  # possibly cut short
    sample = "\n".join(lines[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(raw: bytes, *, encoding: str | None = None, delimiter: str | None = None) -> Table:
    text = None
    if not encoding:
        encoding, text = _detect(raw)
    try:
        if text is None:
            text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise UnreadableFile(
            _("The file cannot be read as %(encoding)s.") % {"encoding": encoding}
        ) from None
    return _read_text(text, encoding, delimiter)


def _read_text(text: str, encoding: str, delimiter: str | None) -> Table:
    text = text.lstrip("\ufeff")
    delimiter = delimiter or detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _unreadable_row(1, exc) from None
    if not header or not any(cell.strip() for cell in header):
        raise UnreadableFile(_("The file is empty or has no header row."))

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                if "".join(cells).strip():  # a row with something in it (one C call)
                    yield number, cells
        except csv.Error as exc:
            raise _unreadable_row(number + 1, exc) from None

    return Table(
        header=[h.strip() for h in header], rows=rows(), encoding=encoding, delimiter=delimiter
    )


def _unreadable_row(line: int, error: csv.Error) -> UnreadableFile:
    # The csv module's own words say which rule the row breaks (a cell over its size limit,
    # a NUL character…).
    return UnreadableFile(
        _("Row %(line)s cannot be read as CSV: %(reason)s.") % {"line": line, "reason": error}
    )


def _check_zip(raw: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise UnreadableFile(_("The file is not a valid XLSX workbook.")) from None
    total = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist()) or 1
    if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_ZIP_RATIO:
        raise UnreadableFile(_("The workbook expands to an unsafe size; save it as CSV instead."))


def read_xlsx(raw: bytes) -> Table:
    """First sheet, cached values only: formulas are never evaluated (SEC-UPLOAD-1)."""
    _check_zip(raw)
    import openpyxl  # openpyxl parses XML with defusedxml when it is installed (it is).

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UnreadableFile(
            _("The workbook cannot be opened: %(error)s") % {"error": type(exc).__name__}
        ) from None
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header_row = next(values, None)
    if not header_row or not any(cell not in (None, "") for cell in header_row):
        raise UnreadableFile(_("The file is empty or has no header row."))
    header = [_cell(c).strip() for c in header_row]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(values, start=2):
            cells = [_cell(c) for c in row]
            if any(cell.strip() for cell in cells):
                yield number, cells
        workbook.close()

    return Table(header=header, rows=rows(), kind="xlsx")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1000005.0 → "1000005" (postal codes, phone digits)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def read(
    raw: bytes, filename: str, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    if len(raw) > MAX_BYTES:
        raise UnreadableFile(_("The file is larger than 100 MB; split it into smaller files."))
    if _is_xlsx(raw, filename):
        return read_xlsx(raw)
    return read_csv(raw, encoding=encoding, delimiter=delimiter)


def _is_xlsx(raw: bytes, filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or raw.startswith(b"PK\x03\x04")


HEADER_BYTES = 256 * 1024


def read_header(raw: bytes, filename: str, *, encoding: str, delimiter: str) -> list[str]:
    """The header row of a file whose encoding and delimiter are known: for a CSV, read from
    the start of the file when a second row starts there, instead of decoding all of it."""
    if len(raw) > HEADER_BYTES and encoding and delimiter and not _is_xlsx(raw, filename):
        try:
            start = codecs.getincrementaldecoder(encoding)().decode(raw[:HEADER_BYTES])
            table = _read_text(start, encoding, delimiter)
            if next(table.rows, None) is not None:  # the header row ended within the start
                return table.header
        except (UnicodeDecodeError, LookupError, UnreadableFile, csv.Error):
            pass  # the whole file says what is wrong with it, if anything
    return read(raw, filename, encoding=encoding or None, delimiter=delimiter or None).header
