"""Renders the text images that tools/golden/gen_onnx_ort.mjs feeds PaddleOCR's models, as binary PPM (P6) files.

Run: /usr/bin/python3 tools/golden/gen_paddleocr_images.py OUT_DIR   (needs python3-pil and fonts-dejavu-core)
Writes det.ppm (256 x 64: two lines of text on a light page), rec.ppm (320 x 48: one text line, as the recognizer
takes it) and cls.ppm (192 x 48: a shorter line for the direction classifier). Black text, DejaVu Sans, no noise:
the fixtures store the exact model inputs, so these images only need to look like what PaddleOCR is for.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

# (file, width, height, background, [(x, y, font size, text)])
IMAGES = [
    ("det.ppm", 256, 64, (245, 242, 235), [(10, 6, 20, "Torchlet reads"), (10, 34, 20, "PaddleOCR 2026")]),
    ("rec.ppm", 320, 48, (255, 255, 255), [(6, 8, 28, "Hello Torchlet 42")]),
    ("cls.ppm", 192, 48, (255, 255, 255), [(6, 8, 28, "Torchlet 7")]),
]


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, width, height, background, lines in IMAGES:
        image = Image.new("RGB", (width, height), background)
        draw = ImageDraw.Draw(image)
        for x, y, size, text in lines:
            draw.text((x, y), text, fill=(0, 0, 0), font=ImageFont.truetype(FONT, size))
        image.save(out_dir / name, format="PPM")
        print("wrote", out_dir / name, image.size, [line[3] for line in lines])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
