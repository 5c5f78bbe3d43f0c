import { shallowRef } from 'vue';

/** A CRITICAL report the dispatcher has not yet acknowledged. */
export interface CriticalAlert {
  reportId: string;
  reference: string;
  categoryCode: string;
  municipalityCode: string;
  raisedAt: number;
  /**
   * The open report this one likely repeats (its reference), from the server's possible duplicates: a quiet
   * alert, shown on a softer line and never sounded, so a burst of reports about one billboard is one alarm.
   */
  likelyDuplicateOf?: string | null;
}

export interface AlertCenterOptions {
  /** Plays the alarm; defaults to a WebAudio two-tone beep. */
  sound?: () => void;
  /** How often the alarm repeats while anything is unacknowledged. */
  repeatMs?: number;
}

let audio: AudioContext | null = null;

/**
 * Browsers only let a page make sound after a user gesture: the first click or key press creates and
 * resumes the audio context, so later alarms are audible.
 */
export function unlockAudio(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  if (audio.state === 'suspended') void audio.resume();
}

/** Two short high tones, loud enough to turn a head, short enough not to startle. */
export function beep(): void {
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.25, 1175],
  ] as const) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.22);
  }
}

/**
 * CRITICAL reports raise an alert that stays on screen, and sounds again every `repeatMs`, until a
 * dispatcher acknowledges it: a life-safety report cannot scroll by unseen. A likely duplicate of open work
 * stays on screen too, quietly: it neither sounds nor keeps the alarm repeating. Acknowledgement is the
 * server's fact (acknowledgeReport): the floor sends it and clears the alert in every console when it hears it.
 */
export class AlertCenter {
  readonly pending = shallowRef<readonly CriticalAlert[]>([]);
  private readonly sound: () => void;
  private readonly repeatMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: AlertCenterOptions = {}) {
    this.sound = options.sound ?? beep;
    this.repeatMs = options.repeatMs ?? 10_000;
  }

  raise(alert: CriticalAlert): void {
    if (this.pending.value.some((a) => a.reportId === alert.reportId)) return;
    this.pending.value = [...this.pending.value, alert];
    if (alert.likelyDuplicateOf) return;
    this.sound();
    this.timer ??= setInterval(() => this.sound(), this.repeatMs);
  }

  /** Drops the report's alert (it was acknowledged, here or by another dispatcher); the alarm stops once no loud alert is left. */
  acknowledge(reportId: string): void {
    this.pending.value = this.pending.value.filter((a) => a.reportId !== reportId);
    if (!this.pending.value.some((a) => !a.likelyDuplicateOf)) this.silence();
  }

  acknowledgeAll(): void {
    this.pending.value = [];
    this.silence();
  }

  private silence(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
