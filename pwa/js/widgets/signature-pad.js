// A canvas to sign on with a finger, a pen or a mouse (pointer events), exported as a PNG.
// The drawing buffer follows the displayed size and the screen's pixel ratio, so strokes stay
// sharp; it is sized lazily because a pad inside a closed section has no size yet.
import { h } from '../dom.js';

export function signaturePad({ label, onStroke = () => {} }) {
  const canvas = h('canvas', { class: 'signature-pad', role: 'img', 'aria-label': label });
  let strokes = 0;
  let drawing = null;

  function fit() {
    const ratio = globalThis.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (!width || !height || (canvas.width === width && canvas.height === height)) return;
    canvas.width = width;
    canvas.height = height;
    strokes = 0; // resizing a canvas wipes it
  }

  function context() {
    const ctx = canvas.getContext('2d');
    const ratio = globalThis.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
    return ctx;
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (strokes === 0) fit();
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = context();
    drawing.beginPath();
    drawing.moveTo(...point(event));
    drawing.lineTo(...point(event));
    drawing.stroke();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    drawing.lineTo(...point(event));
    drawing.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = null;
    strokes += 1;
    onStroke(strokes);
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  return {
    element: canvas,
    isEmpty: () => strokes === 0,
    clear() {
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      strokes = 0;
    },
    toPng() {
      return new Promise((resolve, reject) => {
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the signature could not be encoded'))), 'image/png');
      });
    },
  };
}
