import type { EntityManager } from '@mikro-orm/postgresql';
import { provinceData as data } from '../../reference/reference.data.js';

/**
 * Inserts municipalities, departments and categories that are missing. Existing rows are left alone:
 * operators change categories and targets at run time, and a restart must not undo that.
 */
export async function seedReference(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    for (const m of data.municipalities) {
      await tx.execute('insert into municipality (code, name_ar, name_en, lat, lng) values (?, ?, ?, ?, ?) on conflict (code) do nothing', [m.code, m.ar, m.en, m.lat, m.lng]);
    }
    for (const d of data.departments) {
      await tx.execute('insert into department (code, name_ar, name_en) values (?, ?, ?) on conflict (code) do nothing', [d.code, d.ar, d.en]);
    }
    for (const c of data.categories) {
      await tx.execute('insert into category (code, name_ar, name_en, department_code, default_priority, target_hours, life_safety) values (?, ?, ?, ?, ?, ?, ?) on conflict (code) do nothing', [
        c.code,
        c.ar,
        c.en,
        c.department,
        c.priority,
        c.targetHours,
        c.lifeSafety,
      ]);
    }
  });
}
