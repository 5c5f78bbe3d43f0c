import { shallowRef } from 'vue';

export interface SharedPosition {
  lat: number;
  lng: number;
  at: number;
}

/**
 * Shares the phone's position while switched on: every position the browser reports, at most one send
 * every `minIntervalMs` (a crew on the move should not flood the server, nor drain the battery).
 */
export class LocationSharing {
  readonly active = shallowRef(false);
  readonly lastSent = shallowRef<SharedPosition | null>(null);
  readonly error = shallowRef<string | null>(null);
  private watchId: number | null = null;
  private sending = false;

  constructor(
    private readonly send: (lat: number, lng: number) => Promise<void>,
    private readonly minIntervalMs = 15_000,
  ) {}

  start(): void {
    if (this.active.value) return;
    if (!('geolocation' in navigator)) {
      this.error.value = 'unsupported';
      return;
    }
    this.error.value = null;
    this.active.value = true;
    this.watchId = navigator.geolocation.watchPosition(
      (position) => void this.report(position.coords.latitude, position.coords.longitude),
      (err) => {
        this.error.value = err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable';
      },
      { enableHighAccuracy: true, maximumAge: 10_000 },
    );
  }

  stop(): void {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
    this.active.value = false;
  }

  private async report(lat: number, lng: number): Promise<void> {
    const last = this.lastSent.value;
    if (this.sending || (last && Date.now() - last.at < this.minIntervalMs)) return;
    this.sending = true;
    try {
      await this.send(lat, lng);
      this.lastSent.value = { lat, lng, at: Date.now() };
      this.error.value = null;
    } catch {
      this.error.value = 'send';
    } finally {
      this.sending = false;
    }
  }
}
