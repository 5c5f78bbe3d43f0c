import type { EntityManager } from '@mikro-orm/postgresql';
import { AssignmentStatus } from '../../assignments/assignments.enums.js';
import { User } from '../../auth/auth.entity.js';
import { Role } from '../../access/access.roles.js';
import type { Viewer } from '../../access/access.viewer.js';
import type { Services } from '../../access/access.context.js';
import { Crew } from '../../crews/crews.entity.js';
import { Department, Municipality } from '../../reference/reference.entity.js';
import { Report } from '../../reports/reports.entity.js';
import { BeneficiaryType, Channel, ReportKind, ReportStatus } from '../../reports/reports.enums.js';
import { provinceData } from '../../reference/reference.data.js';

/** The demo password of every demo user; it exists only in demo mode. */
export const DEMO_PASSWORD = 'balagh940';
export const DEMO_KEYS = { intake: 'demo-intake-key', integrator: 'demo-integrator-key' } as const;

const CREWS: Array<[name: string, department: string, municipality: string]> = [
  ['Khobar Billboards 1', 'BUILDING_CONTROL', 'KHOBAR'],
  ['Dammam Billboards 1', 'BUILDING_CONTROL', 'DAMMAM'],
  ['Khobar Roads 1', 'ROADS_LIGHTING', 'KHOBAR'],
  ['Dammam Roads 1', 'ROADS_LIGHTING', 'DAMMAM'],
  ['Dammam Roads 2', 'ROADS_LIGHTING', 'DAMMAM'],
  ['Qatif Roads 1', 'ROADS_LIGHTING', 'QATIF'],
  ['Dammam Drainage 1', 'DRAINAGE', 'DAMMAM'],
  ['Khobar Drainage 1', 'DRAINAGE', 'KHOBAR'],
  ['Dammam Cleanliness 1', 'CLEANLINESS', 'DAMMAM'],
  ['Jubail Cleanliness 1', 'CLEANLINESS', 'JUBAIL'],
  ['Dhahran Environmental Health 1', 'ENV_HEALTH', 'DHAHRAN'],
  ['Qatif Parks 1', 'PARKS', 'QATIF'],
];

type Outcome = ReportStatus | 'ACCEPTED' | 'EN_ROUTE' | 'ON_SITE';

/** [category, municipality, channel, hours ago, description, address, outcome] */
const REPORTS: Array<[string, string, Channel, number, string, string, Outcome]> = [
  ['HAZARDOUS_BILLBOARD', 'KHOBAR', Channel.CALL_940, 0.3, 'لوحة إعلانية كبيرة مائلة وآيلة للسقوط فوق الرصيف بعد الرياح', 'طريق الأمير تركي، الكورنيش، الخبر', ReportStatus.RECEIVED],
  ['OPEN_MANHOLE', 'DAMMAM', Channel.BALAGHATI_APP, 0.5, 'غرفة تفتيش مكشوفة بدون غطاء أمام مدرسة ابتدائية', 'حي الفيصلية، شارع 11، الدمام', ReportStatus.RECEIVED],
  ['EXPOSED_CABLES', 'QATIF', Channel.WHATSAPP, 3, 'أسلاك كهربائية مكشوفة بجوار عمود إنارة في حديقة عامة', 'حديقة الناصرة، القطيف', ReportStatus.RECEIVED],
  ['RAINWATER_POOLING', 'DAMMAM', Channel.WEB_PORTAL, 2, 'تجمع مياه أمطار يغلق مسارين في التقاطع', 'تقاطع طريق الملك سعود مع شارع 28، الدمام', ReportStatus.RECEIVED],
  ['POTHOLE', 'KHOBAR', Channel.BALAGHATI_APP, 30, 'حفرة عميقة في المسار الأيمن تسببت في تلف إطار', 'شارع الملك خالد، الخبر الشمالية', ReportStatus.RECEIVED],
  ['WASTE_ACCUMULATION', 'SAIHAT', Channel.WHATSAPP, 5, 'تراكم النفايات حول الحاويات منذ ثلاثة أيام', 'حي الفيحاء، سيهات', ReportStatus.RECEIVED],
  ['STREETLIGHT_OUTAGE', 'DHAHRAN', Channel.EMAIL, 10, 'ثلاثة أعمدة إنارة متتالية لا تعمل ليلاً', 'طريق الظهران – الجبيل، مخرج 3', ReportStatus.RECEIVED],
  ['STRAY_ANIMALS', 'JUBAIL', Channel.CALL_940, 6, 'مجموعة كلاب ضالة قرب مدخل الحي', 'حي الفناتير، الجبيل الصناعية', ReportStatus.RECEIVED],
  ['DAMAGED_SIDEWALK', 'KHAFJI', Channel.WEB_PORTAL, 50, 'بلاط الرصيف مكسور ومرتفع ويعيق المشاة', 'شارع الملك عبدالعزيز، الخفجي', ReportStatus.RECEIVED],
  ['VISUAL_POLLUTION', 'RAS_TANURA', Channel.SOCIAL_MEDIA, 20, 'كتابات على جدران مبنى مهجور', 'حي الشاطئ، رأس تنورة', ReportStatus.RECEIVED],
  ['GENERAL_INQUIRY', 'DAMMAM', Channel.CALL_940, 1, 'استفسار عن مواعيد جمع النفايات في الحي', 'حي الشاطئ الغربي، الدمام', ReportStatus.RECEIVED],
  ['ABANDONED_VEHICLE', 'ABQAIQ', Channel.BALAGHATI_APP, 100, 'سيارة مهملة منذ أشهر بدون لوحات', 'حي الخالدية، بقيق', ReportStatus.RECEIVED],
  ['UNSAFE_EXCAVATION', 'KHOBAR', Channel.CALL_940, 1.5, 'حفريات بدون حواجز أو إنارة تحذيرية ليلاً', 'حي العقربية، شارع 20، الخبر', ReportStatus.ASSIGNED],
  ['SEWAGE_OVERFLOW', 'KHOBAR', Channel.WHATSAPP, 2.5, 'طفح مياه صرف صحي في الشارع السكني', 'حي الثقبة، الخبر', ReportStatus.ASSIGNED],
  ['CONSTRUCTION_DEBRIS', 'DAMMAM', Channel.BALAGHATI_APP, 12, 'مخلفات بناء مرمية على أرض فضاء', 'حي النور، الدمام', ReportStatus.ASSIGNED],
  ['FOOD_SAFETY', 'DHAHRAN', Channel.WEB_PORTAL, 8, 'مطعم يعرض أطعمة مكشوفة وغير مبردة', 'حي الدوحة الجنوبية، الظهران', ReportStatus.ASSIGNED],
  ['HAZARDOUS_BILLBOARD', 'DAMMAM', Channel.CALL_940, 1, 'لوحة محل تجاري متدلية من الواجهة', 'شارع الملك فهد، الدمام', 'EN_ROUTE'],
  ['POTHOLE', 'DAMMAM', Channel.BALAGHATI_APP, 20, 'هبوط في الطريق بجوار فتحة تصريف', 'حي الريان، الدمام', 'ON_SITE'],
  ['WATER_LEAK', 'DAMMAM', Channel.WHATSAPP, 9, 'تسرب مياه مستمر من الرصيف إلى الشارع', 'حي الأنوار، الدمام', 'ACCEPTED'],
  ['FALLEN_TREE', 'QATIF', Channel.CALL_940, 7, 'شجرة ساقطة تغلق جزءاً من الطريق', 'شارع القدس، القطيف', 'ON_SITE'],
  ['OPEN_MANHOLE', 'KHOBAR', Channel.CALL_940, 26, 'فتحة تصريف مكشوفة في مواقف السيارات', 'مجمع الراشد، الخبر', ReportStatus.RESOLVED],
  ['WASTE_ACCUMULATION', 'JUBAIL', Channel.BALAGHATI_APP, 40, 'حاوية ممتلئة ومتعطلة', 'حي الدفي، الجبيل', ReportStatus.RESOLVED],
  ['STREETLIGHT_OUTAGE', 'QATIF', Channel.EMAIL, 60, 'إنارة معطلة في شارع رئيسي', 'شارع أحد، القطيف', ReportStatus.RESOLVED],
  ['POTHOLE', 'KHOBAR', Channel.WEB_PORTAL, 70, 'حفرة صغيرة أمام المسجد', 'حي الراكة، الخبر', ReportStatus.CLOSED],
  ['RAINWATER_POOLING', 'KHOBAR', Channel.WHATSAPP, 80, 'مياه متجمعة في نفق', 'نفق الأمير فيصل بن فهد، الخبر', ReportStatus.CLOSED],
  ['SERVICE_NOTE', 'DAMMAM', Channel.EMAIL, 90, 'ملاحظة: تحسين مسارات المشاة في الكورنيش', 'كورنيش الدمام', ReportStatus.CLOSED],
  ['WATER_LEAK', 'SAFWA', Channel.CALL_940, 15, 'تسرب من خط المياه الرئيسي', 'حي الزهور، صفوى', ReportStatus.REJECTED],
  ['EXPOSED_CABLES', 'DAMMAM', Channel.SOCIAL_MEDIA, 4, 'أسلاك ضغط عالٍ متدلية من برج كهرباء', 'طريق الخليج، الدمام', ReportStatus.REJECTED],
  ['HAZARDOUS_BILLBOARD', 'KHOBAR', Channel.WHATSAPP, 0.25, 'نفس اللوحة المائلة على الكورنيش، بلاغ ثانٍ', 'الكورنيش، الخبر', ReportStatus.DUPLICATE],
  ['POTHOLE', 'NAIRYAH', Channel.BALAGHATI_APP, 18, 'حفر متعددة في الطريق المؤدي للسوق', 'طريق السوق، النعيرية', ReportStatus.DUPLICATE],
];

const CREW_FOR: Record<string, string> = {
  BUILDING_CONTROL: 'Billboards',
  ROADS_LIGHTING: 'Roads',
  DRAINAGE: 'Drainage',
  CLEANLINESS: 'Cleanliness',
  ENV_HEALTH: 'Environmental Health',
  PARKS: 'Parks',
};

/**
 * Demo data, once: the crews, users (password `balagh940`), the two demo keys, and about thirty reports
 * in every status, all filed and moved through the real services so their timelines and events are real.
 */
export async function seedDemo(em: EntityManager, services: Services): Promise<boolean> {
  if ((await em.count(User, {})) > 0) return false;
  const municipalities = new Map((await em.find(Municipality, {})).map((m) => [m.code, m]));
  const crews: Crew[] = [];
  for (const [index, [name, department, municipality]] of CREWS.entries()) {
    const centre = municipalities.get(municipality)!;
    const crew = new Crew();
    crew.name = name;
    crew.department = em.getReference(Department, department);
    crew.municipality = centre;
    crew.skills = provinceData.categories.filter((c) => c.department === department).map((c) => c.code);
    crew.onDuty = index !== CREWS.length - 1;
    crew.lat = centre.lat + ((index % 3) - 1) * 0.01;
    crew.lng = centre.lng + ((index % 4) - 1.5) * 0.01;
    crew.locationAt = new Date();
    crews.push(crew);
    em.persist(crew);
  }
  await em.flush();

  const dispatcherUser = await services.auth.createUser(em, { username: 'dispatcher', password: DEMO_PASSWORD, role: Role.DISPATCHER });
  await services.auth.createUser(em, { username: 'supervisor', password: DEMO_PASSWORD, role: Role.SUPERVISOR });
  for (const [index, crew] of crews.entries()) {
    await services.auth.createUser(em, { username: `crew${String(index + 1).padStart(2, '0')}`, password: DEMO_PASSWORD, role: Role.CREW, crewId: crew.id });
  }
  const intakeKey = await services.auth.createApiKey(em, { name: 'demo-intake', key: DEMO_KEYS.intake, role: Role.INTAKE });
  await services.auth.createApiKey(em, { name: 'demo-integrator', key: DEMO_KEYS.integrator, role: Role.INTEGRATOR });

  const dispatcher: Viewer = { kind: 'user', id: dispatcherUser.id, name: 'dispatcher', role: Role.DISPATCHER, crewId: null, expiresAt: null, credentialId: dispatcherUser.id };
  const gateway: Viewer = { kind: 'key', id: intakeKey.id, name: intakeKey.name, role: Role.INTAKE, crewId: null, expiresAt: null, credentialId: intakeKey.id };
  const categories = new Map(provinceData.categories.map((c) => [c.code, c]));
  const firstOfKind = new Map<string, Report>();
  const busyCrews = new Set<string>();

  for (const [index, [categoryCode, municipality, channel, hoursAgo, description, address, outcome]] of REPORTS.entries()) {
    const centre = municipalities.get(municipality)!;
    const filer = channel === Channel.CALL_940 ? dispatcher : gateway;
    const report = await services.reports.create(em.fork(), filer, {
      idempotencyKey: `demo-${index + 1}`,
      kind: categoryCode === 'GENERAL_INQUIRY' ? ReportKind.INQUIRY : categoryCode === 'SERVICE_NOTE' ? ReportKind.NOTE : ReportKind.INCIDENT,
      channel,
      categoryCode,
      description,
      location: { lat: centre.lat + ((index % 5) - 2) * 0.004, lng: centre.lng + ((index % 7) - 3) * 0.004, address },
      reporter: {
        name: index % 2 ? 'محمد العتيبي' : 'Fatimah Al-Qahtani',
        phone: `+9665${String(50000000 + index * 7919).slice(0, 8)}`,
        beneficiaryType: index % 3 ? BeneficiaryType.CITIZEN : BeneficiaryType.RESIDENT,
      },
    });
    const receivedAt = new Date(Date.now() - hoursAgo * 3_600_000);
    const targetHours = categories.get(categoryCode)!.targetHours;
    await em.nativeUpdate(Report, { id: report.id }, { receivedAt, updatedAt: receivedAt, targetAt: new Date(receivedAt.getTime() + targetHours * 3_600_000) });
    const key = `${categoryCode}:${municipality}`;
    if (!firstOfKind.has(key)) firstOfKind.set(key, report);
    await advance(em, services, dispatcher, report, outcome, crews, busyCrews, firstOfKind.get(key)!, categories.get(categoryCode)!.department);
  }
  return true;
}

async function advance(
  em: EntityManager,
  services: Services,
  dispatcher: Viewer,
  report: Report,
  outcome: Outcome,
  crews: Crew[],
  busy: Set<string>,
  original: Report,
  department: string,
): Promise<void> {
  if (outcome === ReportStatus.RECEIVED) return;
  if (outcome === ReportStatus.REJECTED) {
    await services.reports.reject(em.fork(), dispatcher, report.id, 'Not a municipal asset: referred to the utility', report.description.includes('مياه') ? 'NWC' : 'SEC');
    return;
  }
  if (outcome === ReportStatus.DUPLICATE) {
    const target = original.id === report.id ? await em.fork().findOneOrFail(Report, { reference: { $ne: report.reference }, category: report.category.code }) : original;
    await services.reports.markDuplicate(em.fork(), dispatcher, report.id, target.id);
    return;
  }
  const crew = crews.find((c) => c.onDuty && c.name.includes(CREW_FOR[department] ?? '') && !busy.has(c.id)) ?? crews.find((c) => c.onDuty && !busy.has(c.id)) ?? crews[0];
  const assignment = await services.assignments.assign(em.fork(), dispatcher, { reportId: report.id, crewId: crew.id, note: 'Please attend' });
  const steps: AssignmentStatus[] = [];
  if (outcome === ReportStatus.ASSIGNED) {
    busy.add(crew.id);
    return;
  }
  steps.push(AssignmentStatus.ACCEPTED);
  if (outcome !== 'ACCEPTED') steps.push(AssignmentStatus.EN_ROUTE);
  if (outcome !== 'ACCEPTED' && outcome !== 'EN_ROUTE') steps.push(AssignmentStatus.ON_SITE);
  const done = outcome === ReportStatus.RESOLVED || outcome === ReportStatus.CLOSED;
  if (done) steps.push(AssignmentStatus.COMPLETED);
  const crewViewer: Viewer = { ...dispatcher, name: crew.name };
  for (const status of steps) {
    await services.assignments.updateStatus(em.fork(), crewViewer, { assignmentId: assignment.id, status, note: status === AssignmentStatus.COMPLETED ? 'Fixed and area made safe' : null });
  }
  if (!done) busy.add(crew.id);
  if (outcome === ReportStatus.CLOSED) await services.reports.close(em.fork(), dispatcher, report.id, 'Reporter confirmed by phone');
}
