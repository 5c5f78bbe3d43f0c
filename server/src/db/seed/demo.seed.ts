import type { EntityManager } from '@mikro-orm/postgresql';
import { AssignmentStatus } from '../../assignments/assignments.enums.js';
import { User } from '../../auth/auth.entity.js';
import { Role } from '../../access/access.roles.js';
import type { Viewer } from '../../access/access.viewer.js';
import type { Services } from '../../access/access.context.js';
import { Crew } from '../../crews/crews.entity.js';
import { FollowUp } from '../../followups/followups.entity.js';
import { CallOutcome, FixedAnswer, FollowUpStatus } from '../../followups/followups.enums.js';
import { nextCallable, type CallingPolicy } from '../../followups/followups.schedule.js';
import { FollowUpsService } from '../../followups/followups.service.js';
import type { RecordFollowUpInput } from '../../followups/followups.types.js';
import { Department, Municipality } from '../../reference/reference.entity.js';
import { Report } from '../../reports/reports.entity.js';
import { BeneficiaryType, Channel, ReportKind, ReportStatus } from '../../reports/reports.enums.js';
import { provinceData } from '../../reference/reference.data.js';

/** The demo password of every demo user; it exists only in demo mode. */
export const DEMO_PASSWORD = 'balagh940';
export const DEMO_KEYS = { intake: 'demo-intake-key', integrator: 'demo-integrator-key' } as const;

/**
 * The demo crews, `crew01` … `crew14` in this order: [department, municipality]. Each works its own department's
 * categories in its own municipality, and every report the demo hands to a crew has one; the last is off duty.
 */
const CREWS: Array<[department: string, municipality: string]> = [
  ['BUILDING_CONTROL', 'KHOBAR'],
  ['BUILDING_CONTROL', 'DAMMAM'],
  ['ROADS_LIGHTING', 'KHOBAR'],
  ['ROADS_LIGHTING', 'DAMMAM'],
  ['ROADS_LIGHTING', 'DAMMAM'],
  ['ROADS_LIGHTING', 'QATIF'],
  ['DRAINAGE', 'DAMMAM'],
  ['DRAINAGE', 'KHOBAR'],
  ['CLEANLINESS', 'DAMMAM'],
  ['CLEANLINESS', 'JUBAIL'],
  ['ENV_HEALTH', 'DHAHRAN'],
  ['PARKS', 'QATIF'],
  ['PARKS', 'KHOBAR'],
  ['ENV_HEALTH', 'DAMMAM'],
];

/** How a crew of each department is called, in Arabic and English: "فريق الطرق - الدمام 1" / "Roads crew – Dammam 1". */
const CREW_KIND: Record<string, [ar: string, en: string]> = {
  BUILDING_CONTROL: ['فريق اللوحات', 'Billboards crew'],
  ROADS_LIGHTING: ['فريق الطرق', 'Roads crew'],
  DRAINAGE: ['فريق تصريف المياه', 'Drainage crew'],
  CLEANLINESS: ['فريق النظافة', 'Cleanliness crew'],
  ENV_HEALTH: ['فريق صحة البيئة', 'Environmental health crew'],
  PARKS: ['فريق الحدائق', 'Parks crew'],
};

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

/** The satisfaction center's demo agents: `agent01` … `agent04`. */
export const DEMO_AGENTS = 4;

type Reporter = [name: string, phone: string, beneficiaryType: BeneficiaryType];

/** One investor who calls more than once: his reports and inquiry share a number written three ways (reporterHistory). */
const INVESTOR: Reporter = ['خالد الغامدي', '+966561234502', BeneficiaryType.INVESTOR];

/** A call the satisfaction center made (or will make): the follow-up's life so far. */
type CallPlan = 'DUE' | 'WRONG_NUMBER' | 'NO_ANSWER_3' | 'REACHED_YES' | 'REACHED_PARTLY' | 'CALL_BACK' | 'NO_ANSWER_1';

/**
 * Incidents a crew resolved, each with a reporter phone and so a follow-up: [category, municipality, channel, hours
 * ago, description, address, reporter, plan]. The calls are recorded in this order, one follow-up at a time, and
 * the two that stay open (CALL_BACK, NO_ANSWER_1) come last, so each recorded call claims its own follow-up.
 */
const CALLED: Array<[string, string, Channel, number, string, string, Reporter, CallPlan]> = [
  [
    'POTHOLE',
    'DAMMAM',
    Channel.BALAGHATI_APP,
    28,
    'حفرة أمام مدخل مستودع الشركة تعيق دخول الشاحنات',
    'المدينة الصناعية الثانية، الدمام',
    ['م. سعد الحربي (شركة الخليج للمقاولات)', '0551234501', BeneficiaryType.CONTRACTOR],
    'DUE',
  ],
  ['STREETLIGHT_OUTAGE', 'KHOBAR', Channel.WHATSAPP, 30, 'إنارة الشارع أمام المجمع التجاري مطفأة منذ أسبوع', 'شارع الأمير سلطان، الخبر', INVESTOR, 'DUE'],
  ['STREETLIGHT_OUTAGE', 'QATIF', Channel.CALL_940, 26, 'إنارة الشارع أمام المنازل مطفأة منذ أربع ليالٍ', 'حي المجيدية، القطيف', ['زينب آل سيف', '0531234503', BeneficiaryType.CITIZEN], 'DUE'],
  ['DAMAGED_SIDEWALK', 'KHOBAR', Channel.WEB_PORTAL, 34, 'رصيف مكسور بجوار محطة الحافلات', 'حي الثقبة، الخبر', ['راهول مينون', '00966541234504', BeneficiaryType.RESIDENT], 'DUE'],
  ['SEWAGE_OVERFLOW', 'DAMMAM', Channel.CALL_940, 22, 'طفح صرف صحي أمام مسجد الحي', 'حي بدر، الدمام', ['عبدالرحمن الدوسري', '966501234505', BeneficiaryType.CITIZEN], 'DUE'],
  [
    'CONSTRUCTION_DEBRIS',
    'JUBAIL',
    Channel.BALAGHATI_APP,
    40,
    'مخلفات بناء من مشروع مجاور تغلق الطريق الخدمي',
    'حي الحويلات، الجبيل',
    ['مؤسسة البناء الحديث', '0591234506', BeneficiaryType.CONTRACTOR],
    'DUE',
  ],
  ['STRAY_ANIMALS', 'DAMMAM', Channel.CALL_940, 120, 'قطط وكلاب ضالة عند حاويات السوق', 'سوق الخضار المركزي، الدمام', ['أبو فهد', '0501234507', BeneficiaryType.RESIDENT], 'WRONG_NUMBER'],
  [
    'FALLEN_TREE',
    'KHOBAR',
    Channel.WHATSAPP,
    170,
    'جذع شجرة مكسور على الرصيف بعد العاصفة',
    'حي اليرموك، الخبر',
    ['شركة الواحة للاستثمار العقاري', '0501234508', BeneficiaryType.INVESTOR],
    'NO_ANSWER_3',
  ],
  [
    'VISUAL_POLLUTION',
    'KHOBAR',
    Channel.EMAIL,
    50,
    'لوحات إعلانية ممزقة على سور الأرض المملوكة للمستثمر',
    'طريق الملك فهد، الخبر',
    ['خالد الغامدي', '0561234502', BeneficiaryType.INVESTOR],
    'REACHED_YES',
  ],
  ['WATER_LEAK', 'DAMMAM', Channel.WHATSAPP, 48, 'تسرب مياه من خط فرعي أمام العمارة', 'حي الجلوية، الدمام', ['نورة الشمري', '0561234510', BeneficiaryType.CITIZEN], 'REACHED_YES'],
  ['POTHOLE', 'QATIF', Channel.BALAGHATI_APP, 60, 'حفرتان متتاليتان في الطريق المؤدي للمدرسة', 'حي الناصرة، القطيف', ['حسن آل عباس', '0541234511', BeneficiaryType.CITIZEN], 'REACHED_PARTLY'],
  ['STREETLIGHT_OUTAGE', 'DAMMAM', Channel.WEB_PORTAL, 36, 'عمود إنارة يضيء ويطفئ باستمرار', 'حي الشاطئ الشرقي، الدمام', ['ماريا سانتوس', '0551234512', BeneficiaryType.RESIDENT], 'CALL_BACK'],
  ['WASTE_ACCUMULATION', 'DAMMAM', Channel.BALAGHATI_APP, 45, 'حاوية مكسورة والنفايات حولها', 'حي الفيصلية، الدمام', ['سارة الزهراني', '0531234513', BeneficiaryType.CITIZEN], 'NO_ANSWER_1'],
];

/** What each plan records, call by call. */
const CALLS: Record<CallPlan, Array<Omit<RecordFollowUpInput, 'followUpId'>>> = {
  DUE: [],
  WRONG_NUMBER: [{ outcome: CallOutcome.WRONG_NUMBER, note: 'الرقم لشخص آخر لا يعرف البلاغ' }],
  NO_ANSWER_3: [
    { outcome: CallOutcome.NO_ANSWER, note: 'لا رد' },
    { outcome: CallOutcome.BUSY, note: 'الخط مشغول' },
    { outcome: CallOutcome.NO_ANSWER, note: 'لا رد، المحاولة الأخيرة' },
  ],
  REACHED_YES: [{ outcome: CallOutcome.REACHED, satisfaction: 5, fixed: FixedAnswer.YES, comment: 'تمت المعالجة بسرعة، شكراً لكم' }],
  REACHED_PARTLY: [{ outcome: CallOutcome.REACHED, satisfaction: 2, fixed: FixedAnswer.PARTLY, comment: 'ردموا حفرة واحدة فقط والثانية ما زالت موجودة' }],
  CALL_BACK: [{ outcome: CallOutcome.CALL_BACK_LATER, note: 'المستفيدة في اجتماع، طلبت الاتصال غداً' }],
  NO_ANSWER_1: [{ outcome: CallOutcome.NO_ANSWER }],
};

/** How long before now each plan's first call was made: history days back, the reached ones within the hour. */
const FIRST_CALL_HOURS_AGO: Record<CallPlan, number> = { DUE: 0, WRONG_NUMBER: 30, NO_ANSWER_3: 150, REACHED_YES: 1, REACHED_PARTLY: 1, CALL_BACK: 1, NO_ANSWER_1: 26 };

/** Inquiries and notes for the center's inbox (RECEIVED; one answered): [kind, municipality, channel, hours ago, text, address, reporter, answer]. */
const INBOX: Array<[ReportKind, string, Channel, number, string, string, Reporter, string | null]> = [
  [
    ReportKind.INQUIRY,
    'KHOBAR',
    Channel.CALL_940,
    2,
    'استفسار عن إجراءات تجديد ترخيص لوحة إعلانية لمحل تجاري',
    'شارع الأمير سلطان، الخبر',
    ['خالد الغامدي', '966561234502', BeneficiaryType.INVESTOR],
    null,
  ],
  [
    ReportKind.INQUIRY,
    'DAMMAM',
    Channel.WHATSAPP,
    5,
    'ما متطلبات تصريح الحفر لتمديد خدمات مشروع سكني؟',
    'حي الفيصلية، الدمام',
    ['مؤسسة البناء الحديث', '0591234506', BeneficiaryType.CONTRACTOR],
    null,
  ],
  [ReportKind.NOTE, 'QATIF', Channel.WEB_PORTAL, 20, 'ملاحظة: إضافة مظلات لمواقف السيارات في الحديقة العامة', 'حديقة الناصرة، القطيف', ['زينب آل سيف', '0531234503', BeneficiaryType.CITIZEN], null],
  [ReportKind.NOTE, 'DAMMAM', Channel.EMAIL, 30, 'ملاحظة: تطبيق بلاغاتي يقبل صورة واحدة فقط لكل بلاغ من جهاز آيفون', 'كورنيش الدمام', ['راهول مينون', '+966541234504', BeneficiaryType.RESIDENT], null],
  [
    ReportKind.INQUIRY,
    'JUBAIL',
    Channel.CALL_940,
    4,
    'استفسار عن موعد رش المبيدات في الحي',
    'حي الفناتير، الجبيل',
    ['عبدالله القحطاني', '0501234514', BeneficiaryType.CITIZEN],
    'يتم الرش في حي الفناتير كل يوم ثلاثاء بعد صلاة العصر، وسيتم إبلاغكم بأي تغيير عبر تطبيق بلاغاتي',
  ],
];

/**
 * Demo data, once: the crews, users (password `balagh940`: a dispatcher, a supervisor, a user per crew and the
 * satisfaction center's agents), the two demo keys, and about fifty reports in every status, all filed and moved
 * through the real services so their timelines, follow-ups and events are real. The center's part: resolved
 * incidents whose follow-ups are due now (their due time set to now, since a real one waits FOLLOWUP_DELAY_HOURS
 * into calling hours), calls already recorded (reached and closed, reached and reopened, unreachable, a call back
 * later, a first unanswered call), and inquiries and notes in its inbox, from citizens, residents, contractors
 * and an investor who calls often.
 */
export async function seedDemo(em: EntityManager, services: Services): Promise<boolean> {
  if ((await em.count(User, {})) > 0) return false;
  const municipalities = new Map((await em.find(Municipality, {})).map((m) => [m.code, m]));
  const crews: Crew[] = [];
  for (const [index, [department, municipality]] of CREWS.entries()) {
    const centre = municipalities.get(municipality)!;
    const number = CREWS.slice(0, index + 1).filter(([d, m]) => d === department && m === municipality).length;
    const crew = new Crew();
    crew.nameAr = `${CREW_KIND[department][0]} - ${centre.nameAr} ${number}`;
    crew.nameEn = `${CREW_KIND[department][1]} – ${centre.nameEn} ${number}`;
    crew.department = em.getReference(Department, department);
    crew.municipality = centre;
    crew.skills = provinceData.categories.filter((c) => c.department === department).map((c) => c.code);
    crew.onDuty = true;
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
  const agents: Viewer[] = [];
  for (let index = 1; index <= DEMO_AGENTS; index++) {
    const username = `agent${String(index).padStart(2, '0')}`;
    const user = await services.auth.createUser(em, { username, password: DEMO_PASSWORD, role: Role.AGENT });
    agents.push({ kind: 'user', id: user.id, name: username, role: Role.AGENT, crewId: null, expiresAt: null, credentialId: user.id });
  }
  const intakeKey = await services.auth.createApiKey(em, { name: 'demo-intake', key: DEMO_KEYS.intake, role: Role.INTAKE });
  await services.auth.createApiKey(em, { name: 'demo-integrator', key: DEMO_KEYS.integrator, role: Role.INTEGRATOR });

  const dispatcher: Viewer = { kind: 'user', id: dispatcherUser.id, name: 'dispatcher', role: Role.DISPATCHER, crewId: null, expiresAt: null, credentialId: dispatcherUser.id };
  const gateway: Viewer = { kind: 'key', id: intakeKey.id, name: intakeKey.name, role: Role.INTAKE, crewId: null, expiresAt: null, credentialId: intakeKey.id };
  const categories = new Map(provinceData.categories.map((c) => [c.code, c]));
  const firstOfKind = new Map<string, Report>();
  const busyCrews = new Set<string>();
  const center = new CallCenter(em, services, agents);
  let filed = 0;

  /** Files one report through the service (as the call-taker for 940 calls, else the gateway), received `hoursAgo`. */
  const file = async (kind: ReportKind, categoryCode: string, municipality: string, channel: Channel, hoursAgo: number, description: string, address: string, reporter: Reporter): Promise<Report> => {
    const index = filed++;
    const centre = municipalities.get(municipality)!;
    const report = await services.reports.create(em.fork(), channel === Channel.CALL_940 ? dispatcher : gateway, {
      idempotencyKey: `demo-${index + 1}`,
      kind,
      channel,
      categoryCode,
      description,
      location: { lat: centre.lat + ((index % 5) - 2) * 0.004, lng: centre.lng + ((index % 7) - 3) * 0.004, address },
      reporter: { name: reporter[0], phone: reporter[1], beneficiaryType: reporter[2] },
    });
    const receivedAt = new Date(Date.now() - hoursAgo * 3_600_000);
    const targetHours = categories.get(categoryCode)!.targetHours;
    await em.nativeUpdate(Report, { id: report.id }, { receivedAt, updatedAt: receivedAt, targetAt: new Date(receivedAt.getTime() + targetHours * 3_600_000) });
    return report;
  };

  for (const [index, [categoryCode, municipality, channel, hoursAgo, description, address, outcome]] of REPORTS.entries()) {
    const kind = categoryCode === 'GENERAL_INQUIRY' ? ReportKind.INQUIRY : categoryCode === 'SERVICE_NOTE' ? ReportKind.NOTE : ReportKind.INCIDENT;
    const reporter: Reporter = [index % 2 ? 'محمد العتيبي' : 'فاطمة القحطاني', `+9665${String(50000000 + index * 7919).slice(0, 8)}`, index % 3 ? BeneficiaryType.CITIZEN : BeneficiaryType.RESIDENT];
    const report = await file(kind, categoryCode, municipality, channel, hoursAgo, description, address, reporter);
    const key = `${categoryCode}:${municipality}`;
    if (!firstOfKind.has(key)) firstOfKind.set(key, report);
    // Inquiries and notes never go to crews: a closed one was closed from the queue.
    if (kind !== ReportKind.INCIDENT && outcome === ReportStatus.CLOSED) {
      await services.reports.close(em.fork(), dispatcher, report.id, 'أُحيلت إلى الإدارة المختصة');
      continue;
    }
    // A closed incident was resolved by its crew, then confirmed by the reporter on the follow-up call.
    const reached = outcome === ReportStatus.CLOSED;
    await advance(em, services, dispatcher, report, reached ? ReportStatus.RESOLVED : outcome, crews, busyCrews, firstOfKind.get(key)!, categories.get(categoryCode)!.department);
    if (reached) await center.call(report.id, 20, [{ outcome: CallOutcome.REACHED, satisfaction: 4, fixed: FixedAnswer.YES, comment: 'أكد المبلّغ المعالجة هاتفياً' }]);
  }

  for (const [categoryCode, municipality, channel, hoursAgo, description, address, reporter, plan] of CALLED) {
    const report = await file(ReportKind.INCIDENT, categoryCode, municipality, channel, hoursAgo, description, address, reporter);
    await advance(em, services, dispatcher, report, ReportStatus.RESOLVED, crews, busyCrews, report, categories.get(categoryCode)!.department);
    if (plan !== 'DUE') await center.call(report.id, FIRST_CALL_HOURS_AGO[plan], CALLS[plan]);
  }

  for (const [kind, municipality, channel, hoursAgo, text, address, reporter, answer] of INBOX) {
    const report = await file(kind, kind === ReportKind.INQUIRY ? 'GENERAL_INQUIRY' : 'SERVICE_NOTE', municipality, channel, hoursAgo, text, address, reporter);
    if (answer) await services.followUps.answerInquiry(em.fork(), agents[0], report.id, answer);
  }

  await center.dueNow();
  await em.nativeUpdate(Crew, { id: crews[crews.length - 1].id }, { onDuty: false });
  await spreadTimelines(em);
  return true;
}

/**
 * The demo files and moves every report now and then dates it back: each timeline starts at its report's
 * received time (the CREATED line) and the lines after it follow in order, half an hour apart or closer for
 * a report received less than that before now, and the report was last updated at its last line.
 */
async function spreadTimelines(em: EntityManager): Promise<void> {
  await em.execute(
    `update timeline_entry t set at = r.received_at + (l.n - 1) * least(interval '30 minutes', (now() - r.received_at) / l.total)
     from (select id, report_id, row_number() over (partition by report_id order by at, id) as n, count(*) over (partition by report_id) as total from timeline_entry) l
     join report r on r.id = l.report_id
     where t.id = l.id`,
  );
  await em.execute(`update report r set updated_at = (select max(at) from timeline_entry t where t.report_id = r.id)`);
}

/**
 * The satisfaction center's calls in the demo, made through the real service on a clock the seed moves: each call
 * happens when the follow-up was callable (the first one hours ago, the retries when the calling policy allowed
 * them), so attempts, UNREACHABLE after the last one and the reports they close or reopen are what agents would
 * have left behind.
 */
class CallCenter {
  private at = new Date();
  private readonly service: FollowUpsService;
  private turn = 0;

  constructor(
    private readonly em: EntityManager,
    services: Services,
    private readonly agents: Viewer[],
  ) {
    this.service = new FollowUpsService(services.reports, services.followUps.config, () => this.at);
  }

  /**
   * Records `calls` on the open follow-up of `reportId`, the first at the last calling time `hoursAgo` hours ago,
   * each by the next agent. Claiming takes the oldest callable follow-up, and every other open one is due later
   * than these clocks, so each claim is this report's (checked).
   */
  async call(reportId: string, hoursAgo: number, calls: Array<Omit<RecordFollowUpInput, 'followUpId'>>): Promise<void> {
    const first = lastCallable(new Date(Date.now() - hoursAgo * 3_600_000), this.service.policy);
    const createdAt = new Date(first.getTime() - this.service.config.delayHours * 3_600_000);
    await this.em.nativeUpdate(FollowUp, { report: reportId, status: FollowUpStatus.PENDING }, { createdAt, dueAt: first, nextAttemptAt: first });
    for (const call of calls) {
      const open = await this.em.fork().findOneOrFail(FollowUp, { report: reportId, status: FollowUpStatus.PENDING });
      this.at = new Date(open.nextAttemptAt.getTime() + 5 * 60_000);
      const agent = this.agents[this.turn++ % this.agents.length];
      const claimed = await this.service.claimNext(this.em.fork(), agent);
      if (claimed?.id !== open.id) throw new Error(`demo seed: ${agent.name} claimed ${claimed?.id ?? 'nothing'} instead of follow-up ${open.id}`);
      const callBackAt = call.outcome === CallOutcome.CALL_BACK_LATER ? new Date(this.at.getTime() + 24 * 3_600_000) : null;
      await this.service.record(this.em.fork(), agent, { followUpId: open.id, ...call, callBackAt });
    }
  }

  /** Follow-ups never called become due now, a few minutes apart (oldest first), so agents have calls to claim at once. */
  async dueNow(): Promise<void> {
    await this.em.execute(
      `update follow_up f set due_at = d.at, next_attempt_at = d.at
       from (select id, now() - (row_number() over (order by created_at desc, id)) * interval '4 minutes' as at from follow_up where status = 'PENDING' and attempts = 0) d
       where f.id = d.id`,
    );
  }
}

/** The latest quarter hour at or before `at` when calls were allowed: when a call made "about then" happened. */
function lastCallable(at: Date, policy: CallingPolicy): Date {
  let instant = new Date(Math.floor(at.getTime() / 900_000) * 900_000);
  while (nextCallable(instant, policy).getTime() !== instant.getTime()) instant = new Date(instant.getTime() - 900_000);
  return instant;
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
    const water = report.description.includes('مياه');
    await services.reports.reject(em.fork(), dispatcher, report.id, 'ليست من أصول البلدية: أُحيلت إلى الجهة المختصة', water ? 'شركة المياه الوطنية' : 'الشركة السعودية للكهرباء');
    return;
  }
  if (outcome === ReportStatus.DUPLICATE) {
    const target = original.id === report.id ? await em.fork().findOneOrFail(Report, { reference: { $ne: report.reference }, category: report.category.code }) : original;
    await services.reports.markDuplicate(em.fork(), dispatcher, report.id, target.id);
    return;
  }
  // A crew of the report's department in its municipality: a free one first, else one whose job waits (PENDING or ACCEPTED).
  const own = crews.filter((c) => c.department.code === department && c.municipality.code === report.municipality.code);
  const crew = own.find((c) => !busy.has(c.id)) ?? own[0];
  if (!crew) throw new Error(`demo seed: no ${department} crew in ${report.municipality.code}`);
  const assignment = await services.assignments.assign(em.fork(), dispatcher, { reportId: report.id, crewId: crew.id, note: 'يرجى المعاينة والمعالجة' });
  const steps: AssignmentStatus[] = [];
  if (outcome === ReportStatus.ASSIGNED) {
    busy.add(crew.id);
    return;
  }
  steps.push(AssignmentStatus.ACCEPTED);
  if (outcome !== 'ACCEPTED') steps.push(AssignmentStatus.EN_ROUTE);
  if (outcome !== 'ACCEPTED' && outcome !== 'EN_ROUTE') steps.push(AssignmentStatus.ON_SITE);
  const done = outcome === ReportStatus.RESOLVED;
  if (done) steps.push(AssignmentStatus.COMPLETED);
  const crewViewer: Viewer = { ...dispatcher, name: `crew${String(crews.indexOf(crew) + 1).padStart(2, '0')}` };
  for (const status of steps) {
    await services.assignments.updateStatus(em.fork(), crewViewer, { assignmentId: assignment.id, status, note: status === AssignmentStatus.COMPLETED ? 'تمت المعالجة وتأمين الموقع' : null });
  }
  if (!done) busy.add(crew.id);
}
