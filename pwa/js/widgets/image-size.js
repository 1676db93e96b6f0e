// Photos are made small before they are stored: the longest side at most 1,600 px, JPEG at 0.8.
// A phone's 12-megapixel picture (3–5 MB) becomes 200–400 kB, which an outbox can push over a
// poor mobile connection. `downscaleSize` is pure (node --test); `compressImage` needs a browser.

export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.8;

/** The size to draw an image of `width` × `height` at: same proportions, longest side ≤ `max`. */
export function downscaleSize(width, height, max = MAX_SIDE) {
  if (!(width > 0 && height > 0)) throw new RangeError(`not an image size: ${width} × ${height}`);
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** A picture file → a JPEG Blob no larger than MAX_SIDE on its longest side (EXIF rotation applied). */
export async function compressImage(file, { max = MAX_SIDE, quality = JPEG_QUALITY } = {}) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = downscaleSize(bitmap.width, bitmap.height, max);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff'; // a transparent PNG would turn black in a JPEG
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    return await new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the image could not be encoded'))), 'image/jpeg', quality);
    });
  } finally {
    bitmap.close();
  }
}
