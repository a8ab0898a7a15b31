"""What a file that is not UTF-8 text is, said in words a contributor can act on.

Spreadsheet programs save "CSV" in the computer's own encoding (Windows-1252 on many
Windows machines, UTF-16 for "Unicode text"), browsers save error pages under the name
asked for, and a workbook renamed ``.csv`` is still a zip archive. Each gets a message
naming what the file is and how to save it as UTF-8, before any parsing is tried.
"""

from __future__ import annotations

#: How to re-save a file as UTF-8, for the messages.
RESAVE = ('in Excel or LibreOffice use "Save as" and choose "CSV UTF-8 (comma delimited)" '
          "(LibreOffice: character set Unicode (UTF-8)); or run: iconv -f {enc} -t UTF-8 FILE > FILE-utf8.csv")


def _looks_utf16(head: bytes) -> str | None:
    """"UTF-16LE"/"UTF-16BE" when every other byte of mostly-ASCII text is a NUL."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.2 * len(even):
        return "UTF-16LE"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "UTF-16BE"
    return None


def sniff(data: bytes, kind: str = "CSV") -> str | None:
    """Why ``data`` is not UTF-8 text of the kind expected, or None when it may be.

    Examples
    --------
    >>> sniff("a,b\\n".encode("utf-16"))[:45]
    'is UTF-16 text (it starts with a UTF-16 byte-'
    >>> sniff(b"PK\\x03\\x04rest")[:27]
    'is a zip archive, not a CSV'
    >>> sniff(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1" + bytes(512))[:40]
    'is an Excel 97-2003 workbook (.xls) or a'
    >>> sniff(b"a,b\\n1,2\\n") is None
    True
    """
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "UTF-16LE" if head.startswith(b"\xff\xfe") else "UTF-16BE"
        return (f"is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8; save it as UTF-8 {kind}: "
                + RESAVE.format(enc=enc))
    enc = _looks_utf16(head)
    if enc:
        return f"is UTF-16 text ({enc}, without a byte-order mark), not UTF-8; save it as UTF-8 {kind}: " + RESAVE.format(enc=enc)
    if head.startswith(b"PK\x03\x04"):
        return (f"is a zip archive, not a {kind} file (an XLSX workbook is one: if it is, give it the .xlsx "
                "extension, or save its sheet as CSV UTF-8)")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return (f"is an Excel 97-2003 workbook (.xls) or a password-protected one, not a {kind} file; open it "
                f"and save its sheet as CSV UTF-8 (or the workbook as .xlsx, without a password)")
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")):
        what = "an HTML page" if b"html" in stripped[:20] else "an XML document"
        return (f"is {what}, not a {kind} file (a web page saved under this name, perhaps a download's error "
                "page); download or export the file again")
    nul = data.find(b"\x00")
    if nul >= 0:
        return (f"holds a NUL byte (byte {nul}), which text files do not: it is a binary file or a damaged "
                f"one, not {kind}; export the data again as UTF-8 {kind}")
    return None


def not_utf8(data: bytes, kind: str = "CSV") -> str | None:
    """Why ``data`` cannot be decoded as UTF-8 (what it looks like instead), or None.

    Examples
    --------
    >>> not_utf8("a,b\\n1,caf\\u00e9\\n".encode("cp1252"))[:62]
    'is not UTF-8 (byte 9, line 2): it looks like Windows-1252 or L'
    >>> not_utf8(b"a,b\\n") is None
    True
    """
    reason = sniff(data, kind)
    if reason:
        return reason
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f"byte {exc.start}, line {line}"
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return f"is not UTF-8 ({where}); save it as UTF-8 {kind}: " + RESAVE.format(enc="ENCODING")
        return (f"is not UTF-8 ({where}): it looks like Windows-1252 or Latin-1 text (a spreadsheet's "
                f"default on many computers); save it as UTF-8 {kind}: " + RESAVE.format(enc="WINDOWS-1252"))
    return None
