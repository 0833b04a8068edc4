// The time cursor: a slider over the run's samples that the learner drags (or steps with the arrow
// keys) or plays, in real proportion or in slow motion. Every plot and view listens to it.
import {el, fmt, nearest} from "/static/util.js";

const SPEEDS = [  // the whole run in this many seconds
  {label: "normal (whole run in 5 s)", seconds: 5},
  {label: "slow motion (×¼)", seconds: 20},
  {label: "very slow (×1/10)", seconds: 50},
];

export class Cursor {
  constructor(node, onMove, onSettle) {
    this.onMove = onMove;
    this.onSettle = onSettle;
    this.t = [];
    this.index = null;
    this.pending = null; // a time from the permalink, applied to the first run
    this.playing = false;
    this.slider = el("input", {type: "range", min: 0, max: 0, step: 1, value: 0, id: "cursor-slider",
                               "aria-label": "time cursor"});
    this.out = el("output", {for: "cursor-slider", id: "cursor-time", text: "t = –"});
    this.play = el("button", {type: "button", id: "cursor-play", text: "▶ play", "aria-pressed": "false"});
    this.speed = el("select", {id: "cursor-speed", "aria-label": "playback speed"},
                    ...SPEEDS.map((s, i) => el("option", {value: i, text: s.label})));
    node.replaceChildren(el("label", {for: "cursor-slider", text: "time cursor"}), this.slider, this.out,
                         this.play, this.speed);
    this.slider.addEventListener("input", () => this.move(Number(this.slider.value)));
    this.slider.addEventListener("change", () => this.onSettle());
    this.play.addEventListener("click", () => (this.playing ? this.stop() : this.start()));
  }

  /** A new run: keeps the cursor's time where it was (or the permalink's), else puts it at the start. */
  setRun(payload) {
    this.t = payload.t || [];
    this.slider.max = Math.max(0, this.t.length - 1);
    const want = this.pending ?? (this.index === null ? null : this.time());
    this.pending = null;
    const i = want === null || !this.t.length ? 0 : nearest(this.t, want);
    this.move(i);
  }

  time() { return this.index === null || !this.t.length ? null : this.t[this.index]; }

  /** Moves to the sample nearest ``t`` ms (from a click on a plot). */
  set(t) {
    if (!this.t.length) return;
    this.move(nearest(this.t, t));
    this.onSettle();
  }

  move(i) {
    this.index = i;
    this.slider.value = i;
    const t = this.t[i];
    if (t === undefined) return;
    this.out.textContent = `t = ${fmt(t)} ms`;
    this.slider.setAttribute("aria-valuetext", `${fmt(t)} ms`);
    this.onMove(t);
  }

  start() {
    if (!this.t.length) return;
    if (this.index >= this.t.length - 1) this.move(0);
    this.playing = true;
    this.play.textContent = "⏸ pause";
    this.play.setAttribute("aria-pressed", "true");
    const span = this.t[this.t.length - 1] - this.t[0];
    let last = performance.now();
    let sim = this.t[this.index];
    const step = now => {
      if (!this.playing) return;
      const seconds = SPEEDS[Number(this.speed.value)].seconds;
      sim += ((now - last) / 1000) * (span / seconds);  // simulated ms advanced in this frame
      last = now;
      const i = nearest(this.t, sim);
      if (i !== this.index) this.move(i);
      if (i >= this.t.length - 1) { this.stop(); return; }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  stop() {
    this.playing = false;
    this.play.textContent = "▶ play";
    this.play.setAttribute("aria-pressed", "false");
    this.onSettle();
  }
}
