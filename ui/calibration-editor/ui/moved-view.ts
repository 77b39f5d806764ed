import type { Point } from '../../../protocol/geometry.ts';
import type { EditorStore } from '../state/store.ts';
import { api } from './api.ts';
import { h, svg } from './elements.ts';

/** Where the four markers start: a wide quadrilateral, easy to grab, never collinear. */
const START: Point[] = [
  [0.2, 0.2],
  [0.8, 0.2],
  [0.8, 0.8],
  [0.2, 0.8],
];

/**
 * Camera moved: the reference frame (sent with the last publish) and the current snapshot side by
 * side. Staff drag marker k to the same landmark (a lamp post, a kerb corner) in both pictures;
 * "Re-project" sends the four pairs and the document to the server, which moves every slot and
 * mask through the one homography (calibration/reproject) and says which ones left the picture.
 */
export class MovedView {
  readonly reference: Point[] = START.map(([x, y]) => [x, y]);
  readonly current: Point[] = START.map(([x, y]) => [x, y]);
  readonly #root: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly store: EditorStore,
    private readonly cameraId: string,
    private readonly say: (m: string, kind?: 'info' | 'error') => void,
  ) {
    this.#root = root;
  }

  open(currentUrl: string | undefined): void {
    const f = this.store.frame;
    const left = this.#picture('Reference frame', api.referenceUrl(this.cameraId), this.reference, f);
    const right = this.#picture('Current frame', currentUrl ?? '', this.current, f);
    const go = h('button', { type: 'button', 'data-action': 'reproject' }, 'Re-project all outlines');
    go.addEventListener('click', () => void this.#reproject());
    const close = h('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => (this.#root.hidden = true));
    this.#root.replaceChildren(
      h('h2', {}, 'Camera moved: match four landmarks'),
      h(
        'p',
        { class: 'hint' },
        'Drag each numbered marker onto the same fixed landmark in both pictures (lamp posts, kerb corners, ' +
          'not cars). Use four landmarks spread over the lot.',
      ),
      h('div', { class: 'moved-pair' }, left, right),
      go,
      close,
    );
    this.#root.hidden = false;
    this.#root.scrollIntoView({ block: 'start' });
  }

  #picture(title: string, url: string, points: Point[], f: { width: number; height: number }): HTMLElement {
    const el = svg('svg', {
      viewBox: `0 0 ${f.width} ${f.height}`,
      class: 'moved-frame',
      role: 'img',
      'aria-label': title,
    });
    el.append(svg('image', { href: url, x: 0, y: 0, width: f.width, height: f.height }));
    const markers = points.map((_, i) => {
      const g = svg('g', { class: 'marker', 'data-marker': i });
      const c = svg('circle', { r: f.width / 90 });
      const t = svg('text', { 'font-size': f.width / 50, dy: -f.width / 70 });
      t.textContent = String(i + 1);
      g.append(c, t);
      return { g, c, t };
    });
    const draw = () =>
      markers.forEach(({ c, t }, i) => {
        const [x, y] = points[i]!;
        c.setAttribute('cx', String(x * f.width));
        c.setAttribute('cy', String(y * f.height));
        t.setAttribute('x', String(x * f.width));
        t.setAttribute('y', String(y * f.height));
      });
    draw();
    el.append(...markers.map((m) => m.g));
    let dragging: number | undefined;
    const at = (e: PointerEvent): Point => {
      const m = el.getScreenCTM()?.inverse();
      if (!m) return [0, 0];
      const x = m.a * e.clientX + m.c * e.clientY + m.e;
      const y = m.b * e.clientX + m.d * e.clientY + m.f;
      return [Math.min(1, Math.max(0, x / f.width)), Math.min(1, Math.max(0, y / f.height))];
    };
    el.addEventListener('pointerdown', (e) => {
      const p = at(e);
      let best = -1;
      let bestD = 0.05;
      points.forEach(([x, y], i) => {
        const d = Math.hypot(x - p[0], y - p[1]);
        if (d < bestD) [best, bestD] = [i, d];
      });
      if (best < 0) return;
      dragging = best;
      el.setPointerCapture(e.pointerId);
    });
    el.addEventListener('pointermove', (e) => {
      if (dragging === undefined) return;
      points[dragging] = at(e);
      draw();
    });
    el.addEventListener('pointerup', () => (dragging = undefined));
    return h('figure', {}, el, h('figcaption', {}, title));
  }

  async #reproject(): Promise<void> {
    try {
      const r = await api.reproject(
        this.cameraId,
        this.reference.map(([x, y]) => [x, y]),
        this.current.map(([x, y]) => [x, y]),
        this.store.doc,
      );
      this.store.edit(r.document, 're-project after camera move');
      const lost = r.flags.map((f) => `${f.id} (${Math.round(f.visible_fraction * 100)} % visible)`);
      this.say(
        lost.length === 0
          ? 'All outlines re-projected. Check them on the current picture, then save and publish.'
          : `Re-projected; partly outside the picture now: ${lost.join(', ')}. Fix or delete them.`,
      );
      this.#root.hidden = true;
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e), 'error');
    }
  }
}
