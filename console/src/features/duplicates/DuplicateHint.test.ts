// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import urql from '@urql/vue';
import { Client, fetchExchange } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import DuplicateHint from './DuplicateHint.vue';

describe('the duplicate hint', () => {
  it('says in Arabic which report it repeats, how far and how much earlier, the reference isolated, with merge offered', () => {
    setLocale('ar');
    const wrapper = mount(DuplicateHint, {
      props: { reportId: 'r-1', hint: { reportId: 'r-2', reference: '940-2026-000777', distanceMeters: 80, minutesApart: 20, earlier: true, open: true } },
      global: { plugins: [i18n, [urql, new Client({ url: 'http://127.0.0.1:1/graphql', exchanges: [fetchExchange] })]] },
    });
    expect(wrapper.text()).toContain('بلاغ مكرر محتمل لـ 940-2026-000777 (80 م، قبل 20 دقيقة)');
    expect(wrapper.find('bdi').text()).toBe('940-2026-000777');
    expect(wrapper.find('[data-test=duplicate-merge]').exists()).toBe(true);
  });
});
