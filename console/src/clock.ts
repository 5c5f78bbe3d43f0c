import { shallowRef } from 'vue';

/** Wall-clock milliseconds, ticking once a second: every countdown and age on screen reads this one ref. */
export const now = shallowRef(Date.now());

if (typeof window !== 'undefined') {
  setInterval(() => {
    now.value = Date.now();
  }, 1000);
}
