#!/usr/bin/env python3
"""The seed's original unzip procedure, in Python stdlib, as the bench baseline.

zip -> extract to a temp folder -> gunzip every .json.gz (nested folders) into a .json file -> move every .json into
data/ -> remove the temp folder. Usage: amplitude_unzip.py EXPORT.zip OUT_DIR
"""
import gzip
import os
import shutil
import sys
import tempfile
import zipfile


def main(zip_path: str, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="seed-unzip-")
    try:
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(tmp)
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                if not name.endswith(".gz"):
                    continue
                src = os.path.join(root, name)
                dst = os.path.join(root, name[:-3])
                with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
                    shutil.copyfileobj(fin, fout)
                os.remove(src)
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                if name.endswith(".json"):
                    shutil.move(os.path.join(root, name), os.path.join(out_dir, name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
