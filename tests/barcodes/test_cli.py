"""`qm scan`: one JSON line per image, errors as lines, the run goes on."""
from __future__ import annotations

import io
import json

from bot.cli import main

from .images import jpeg, page, symbol


def test_scan_images_and_jsonl(tmp_path, capsys, monkeypatch):
    good = tmp_path / "label.jpg"
    good.write_bytes(jpeg(page(symbol("(01)09506000134352(10)LOT42", "Code128", gs1=True))))
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    empty = tmp_path / "wall.jpg"
    empty.write_bytes(jpeg(page()))

    assert main(["scan", str(good), str(text), str(empty)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"file": str(good), "barcodes": [{
        "format": "Code128", "text": "]C1010950600013435210LOT42", "content": "(01)09506000134352(10)LOT42",
        "gs1": {"01": "09506000134352", "10": "LOT42"}}]}
    assert lines[1]["file"] == str(text) and "not an image" in lines[1]["error"]
    assert lines[2] == {"file": str(empty), "barcodes": []}

    monkeypatch.setattr("sys.stdin", io.StringIO(f'{{"file": "{good}"}}\n{{"file": "{tmp_path / "gone.jpg"}"}}\n'))
    assert main(["scan", "--jsonl", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["barcodes"][0]["gs1"]["10"] == "LOT42"
    assert "error" in lines[1] and len(lines) == 2
