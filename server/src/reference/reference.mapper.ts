import type { Category, Department, Municipality } from './reference.entity.js';
import { asView } from '../common/view-type.js';
import { CategoryView, type DepartmentView, type MunicipalityView } from './reference.types.js';

export function toMunicipalityView(row: Municipality): MunicipalityView {
  return { code: row.code, nameAr: row.nameAr, nameEn: row.nameEn, lat: row.lat, lng: row.lng };
}

export function toDepartmentView(row: Department): DepartmentView {
  return { code: row.code, nameAr: row.nameAr, nameEn: row.nameEn };
}

export function toCategoryView(row: Category): CategoryView {
  return asView(CategoryView, {
    code: row.code,
    nameAr: row.nameAr,
    nameEn: row.nameEn,
    defaultPriority: row.defaultPriority,
    targetHours: row.targetHours,
    lifeSafety: row.lifeSafety,
    duplicateRadiusMeters: row.duplicateRadiusM ?? null,
    duplicateWindowHours: row.duplicateWindowHours ?? null,
    departmentCode: row.department.code,
  });
}
