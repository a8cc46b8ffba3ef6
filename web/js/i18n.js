// Chinese first; English by the switch in the header (kept in localStorage, per browser).
const KEY = 'regwatch.lang';

const zh = {
  'app.title': 'regwatch 风险预警控制台',
  'nav.leads': '线索队列', 'nav.review': '督办审核', 'nav.stats': '统计', 'nav.rules': '规则',
  'nav.backtest': '回测', 'nav.entities': '主体', 'nav.statutes': '法规', 'nav.audit': '审计日志',
  'nav.users': '用户',
  'who.signout': '退出', 'who.lang': 'English',
  'login.title': '登录', 'login.token': '访问令牌（Bearer token）',
  'login.hint': '令牌由管理员通过 regwatch users add 或用户管理页面发放；只保存在本标签页（sessionStorage）中。',
  'login.submit': '登录', 'login.expired': '登录已失效，请重新登录：',
  'err.network': '无法连接服务：', 'err.badjson': '服务返回的不是有效的 JSON',
  'err.notfound': '没有这个页面', 'common.loading': '正在加载…', 'common.none': '无',
  'common.all': '全部', 'common.apply': '筛选', 'common.reset': '重置', 'common.prev': '上一页',
  'common.next': '下一页', 'common.total': '共 {n} 条', 'common.submit': '提交', 'common.cancel': '取消',
  'common.yes': '是', 'common.no': '否', 'common.search': '查找', 'common.refresh': '刷新',
  'common.download': '下载', 'common.key': '项', 'common.value': '值',
  'queue.title': '线索队列', 'queue.scope': '范围：{scope}', 'queue.open': '待处理（未办结）',
  'queue.live': '每 {s} 秒自动刷新', 'queue.fresh': '新到 {n} 条线索', 'queue.updated': '更新于 {t}',
  'queue.empty': '没有符合条件的线索',
  'f.status': '状态', 'f.level': '等级', 'f.rule': '规则', 'f.region': '区划（前缀）', 'f.department': '部门',
  'f.entity': '主体', 'f.overdue': '超期', 'f.urged': '仅被督办', 'f.created_from': '生成自',
  'f.created_to': '生成至', 'f.sort': '排序', 'f.mode': '模式',
  'sort.-created': '最新生成', 'sort.created': '最早生成', 'sort.due': '期限最近', 'sort.level': '等级最高',
  'mode.live': '正式', 'mode.shadow': '影子', 'mode.all': '全部',
  'col.level': '等级', 'col.rule': '规则', 'col.entity': '主体', 'col.region': '区划', 'col.department': '部门',
  'col.status': '状态', 'col.due': '期限', 'col.created': '生成时间', 'col.urges': '督办', 'col.assignee': '承办人',
  'col.disposition': '处置结果', 'col.actions': '操作',
  'lead.title': '线索 {id}', 'lead.entity': '主体', 'lead.region': '区划', 'lead.department': '部门',
  'lead.assignee': '承办人', 'lead.created': '生成时间', 'lead.event_time': '触发事件时间',
  'lead.trigger': '触发事件', 'lead.hits': '命中次数', 'lead.revision': '版本', 'lead.escalates': '升级自',
  'lead.due': '处置期限', 'lead.accept_by': '签收期限', 'lead.close_by': '办结期限',
  'lead.overdue': '已超期', 'lead.shadow': '影子模式', 'lead.urges': '督办 {n} 次',
  'lead.actions': '可执行的操作', 'lead.noactions': '当前角色在此状态下没有可执行的操作',
  'lead.why': '为什么触发', 'lead.evidence': '证据（数值与阈值）', 'lead.expr': '表达式',
  'lead.value': '数值', 'lead.threshold': '阈值', 'lead.models': '模型贡献', 'lead.events': '相关事件',
  'lead.events_note': '共 {n} 个事件（最多列出最近 50 个）', 'lead.basis': '法律依据',
  'lead.item': '监管事项', 'lead.disposition': '处置结果', 'lead.timeline': '处置记录（审计轨迹）',
  'lead.clause_changed': '条文已修改：左为行为发生时有效版本，右为 {date} 起施行的版本（行政处罚法第三十七条：从旧兼从轻）',
  'lead.clause_repealed': '该条文已于 {date} 废止', 'lead.version_then': '行为时版本 {v}',
  'lead.version_now': '现行版本 {v}', 'lead.statute_link': '在法规浏览中查看',
  'lead.message': '说明', 'lead.done': '操作已完成：{a}',
  'disp.measure': '处置措施', 'disp.reason': '原因', 'disp.note': '说明', 'disp.decision_ref': '决定文书号',
  'disp.by': '处置人', 'disp.at': '处置时间', 'disp.closed': '办结：{by}，{at}',
  'form.note': '说明', 'form.measure': '处置措施', 'form.reason': '原因', 'form.return_reason': '退回原因',
  'form.decision_ref': '决定文书号（可选）', 'form.department': '改派部门', 'form.region': '改派区划',
  'form.required': '必填', 'form.need_target': '请填写改派部门或区划',
  'review.title': '督办审核', 'review.pending': '待审核的处置（属实/不属实）',
  'review.overdue': '超期未办结', 'review.urged': '被督办的线索', 'review.close': '审核通过并办结',
  'review.send_back': '退回重办', 'review.note_ph': '退回重办的理由',
  'stats.title': '统计', 'stats.by': '分组', 'stats.by.rule': '按规则', 'stats.by.ruleset': '按规则集',
  'stats.by.department': '按部门', 'stats.by.region': '按区划', 'stats.month': '按月与等级的线索数',
  'stats.precision': '准确率（属实 /（属实 + 不属实））', 'stats.close_hours': '办结中位时长（小时）',
  'stats.leads': '线索', 'stats.confirmed': '属实', 'stats.dismissed': '不属实',
  'stats.accept_hours': '签收中位时长（时）', 'stats.close_h': '办结中位时长（时）', 'stats.overdue': '超期',
  'stats.reasons': '不属实原因', 'stats.by_status': '按状态', 'stats.empty': '没有统计数据',
  'stats.group': '分组：{k}',
  'rules.title': '已加载的规则', 'rules.params': '参数', 'rules.clauses': '法律依据', 'rules.item': '监管事项',
  'rules.mode': '模式', 'rules.ruleset': '规则集', 'rules.stats': '规则统计', 'rules.backtest': '回测此规则集',
  'bt.title': '回测与阈值扫描', 'bt.rules': '候选规则集（YAML）', 'bt.rules_file': '或上传规则文件',
  'bt.events': '事件', 'bt.events_file': '事件文件（JSON Lines，可选）', 'bt.from': '事件起始', 'bt.to': '事件截止',
  'bt.sweep': '阈值扫描（可选）', 'bt.param': '参数（如 FOOD-COMPLAINT-SURGE:min_count）',
  'bt.values': '取值（逗号分隔，如 3,4,5,6）', 'bt.run': '运行回测', 'bt.check': '只做检查（check）',
  'bt.running': '正在运行…', 'bt.summary': '结果概要', 'bt.chart': '线索数与准确率', 'bt.added': '新增的线索',
  'bt.removed': '减少的线索', 'bt.diags': '检查结果', 'bt.ok': '检查通过，没有错误', 'bt.baseline': '现行规则',
  'bt.candidate': '候选规则', 'bt.leads': '线索数', 'bt.precision': '准确率', 'bt.value': '取值',
  'bt.raw': '完整报告（JSON）', 'bt.none': '无', 'bt.need_rules': '请填写或上传候选规则集',
  'entity.title': '主体', 'entity.lookup': '主体标识（统一社会信用代码）', 'entity.profile': '主体信息',
  'entity.state': '聚合状态', 'entity.suppress': '抑制记录', 'entity.leads': '该主体的全部线索',
  'statutes.title': '法规浏览', 'statutes.lookup': '条款引用（如 food-safety-law#34.1.6）',
  'statutes.cited': '规则引用的条款', 'statutes.versions': '各版本条文', 'statutes.diffs': '版本差异',
  'statutes.compare': '比较 {a} → {b}', 'statutes.cited_by': '引用的规则',
  'audit.title': '审计日志', 'audit.verify': '校验哈希链', 'audit.ok': '哈希链完整，共 {n} 条记录',
  'audit.bad': '哈希链在第 {seq} 条记录处断开：{reason}', 'audit.lead': '线索', 'audit.actor': '操作人',
  'audit.seq': '序号', 'audit.time': '时间', 'audit.action': '操作', 'audit.changes': '变更', 'audit.role': '角色',
  'users.title': '用户与令牌', 'users.add': '添加用户', 'users.name': '用户名', 'users.role': '角色',
  'users.scope': '范围（区划前缀与部门，逗号分隔；* 为全部）', 'users.token_once': '新令牌（只显示这一次）：',
  'users.reload': '重新加载规则与配置', 'users.reloaded': '已重新加载',
};

const en = {
  'app.title': 'regwatch risk warning console',
  'nav.leads': 'Lead queue', 'nav.review': 'Review', 'nav.stats': 'Statistics', 'nav.rules': 'Rules',
  'nav.backtest': 'Backtest', 'nav.entities': 'Entities', 'nav.statutes': 'Statutes', 'nav.audit': 'Audit log',
  'nav.users': 'Users',
  'who.signout': 'Sign out', 'who.lang': '中文',
  'login.title': 'Sign in', 'login.token': 'Access token (Bearer token)',
  'login.hint': 'Tokens are issued by an admin (regwatch users add, or the Users page); kept only in this tab (sessionStorage).',
  'login.submit': 'Sign in', 'login.expired': 'Your session ended, please sign in again: ',
  'err.network': 'Cannot reach the service: ', 'err.badjson': 'The service did not answer valid JSON',
  'err.notfound': 'No such page', 'common.loading': 'Loading…', 'common.none': 'none',
  'common.all': 'All', 'common.apply': 'Filter', 'common.reset': 'Reset', 'common.prev': 'Previous',
  'common.next': 'Next', 'common.total': '{n} in all', 'common.submit': 'Submit', 'common.cancel': 'Cancel',
  'common.yes': 'yes', 'common.no': 'no', 'common.search': 'Look up', 'common.refresh': 'Refresh',
  'common.download': 'Download', 'common.key': 'Key', 'common.value': 'Value',
  'queue.title': 'Lead queue', 'queue.scope': 'Scope: {scope}', 'queue.open': 'Open (not closed)',
  'queue.live': 'refreshes every {s} s', 'queue.fresh': '{n} new leads arrived', 'queue.updated': 'updated {t}',
  'queue.empty': 'No leads match',
  'f.status': 'Status', 'f.level': 'Level', 'f.rule': 'Rule', 'f.region': 'Region (prefix)', 'f.department': 'Department',
  'f.entity': 'Entity', 'f.overdue': 'Overdue', 'f.urged': 'Urged only', 'f.created_from': 'Created from',
  'f.created_to': 'Created to', 'f.sort': 'Sort', 'f.mode': 'Mode',
  'sort.-created': 'Newest', 'sort.created': 'Oldest', 'sort.due': 'Due soonest', 'sort.level': 'Highest level',
  'mode.live': 'Live', 'mode.shadow': 'Shadow', 'mode.all': 'All',
  'col.level': 'Level', 'col.rule': 'Rule', 'col.entity': 'Entity', 'col.region': 'Region', 'col.department': 'Department',
  'col.status': 'Status', 'col.due': 'Due', 'col.created': 'Created', 'col.urges': 'Urges', 'col.assignee': 'Assignee',
  'col.disposition': 'Disposition', 'col.actions': 'Actions',
  'lead.title': 'Lead {id}', 'lead.entity': 'Entity', 'lead.region': 'Region', 'lead.department': 'Department',
  'lead.assignee': 'Assignee', 'lead.created': 'Created', 'lead.event_time': 'Trigger event time',
  'lead.trigger': 'Trigger event', 'lead.hits': 'Hits', 'lead.revision': 'Revision', 'lead.escalates': 'Escalates',
  'lead.due': 'Deadlines', 'lead.accept_by': 'Accept by', 'lead.close_by': 'Close by',
  'lead.overdue': 'Overdue', 'lead.shadow': 'Shadow mode', 'lead.urges': 'urged {n}×',
  'lead.actions': 'Actions allowed now', 'lead.noactions': 'Your role has no action on a lead in this state',
  'lead.why': 'Why it fired', 'lead.evidence': 'Evidence (values and thresholds)', 'lead.expr': 'Expression',
  'lead.value': 'Value', 'lead.threshold': 'Threshold', 'lead.models': 'Model contributions', 'lead.events': 'Events behind it',
  'lead.events_note': '{n} events (the latest 50 at most)', 'lead.basis': 'Legal basis',
  'lead.item': 'Supervision item', 'lead.disposition': 'Disposition', 'lead.timeline': 'Timeline (audit trail)',
  'lead.clause_changed': 'The clause changed: left the version in force when the conduct happened, right the version in force from {date} (the lighter one applies)',
  'lead.clause_repealed': 'The clause was repealed on {date}', 'lead.version_then': 'Version then {v}',
  'lead.version_now': 'Version now {v}', 'lead.statute_link': 'Open in the statute browser',
  'lead.message': 'Message', 'lead.done': 'Done: {a}',
  'disp.measure': 'Measure', 'disp.reason': 'Reason', 'disp.note': 'Note', 'disp.decision_ref': 'Decision ref',
  'disp.by': 'By', 'disp.at': 'At', 'disp.closed': 'Closed by {by}, {at}',
  'form.note': 'Note', 'form.measure': 'Measure', 'form.reason': 'Reason', 'form.return_reason': 'Why it is returned',
  'form.decision_ref': 'Decision reference (optional)', 'form.department': 'New department', 'form.region': 'New region',
  'form.required': 'required', 'form.need_target': 'Give a department or a region',
  'review.title': 'Review', 'review.pending': 'Dispositions awaiting review (confirmed/dismissed)',
  'review.overdue': 'Overdue and not closed', 'review.urged': 'Urged leads', 'review.close': 'Approve and close',
  'review.send_back': 'Send back', 'review.note_ph': 'Why it is sent back',
  'stats.title': 'Statistics', 'stats.by': 'Group', 'stats.by.rule': 'By rule', 'stats.by.ruleset': 'By ruleset',
  'stats.by.department': 'By department', 'stats.by.region': 'By region', 'stats.month': 'Leads by month and level',
  'stats.precision': 'Precision (confirmed / (confirmed + dismissed))', 'stats.close_hours': 'Median hours to close',
  'stats.leads': 'Leads', 'stats.confirmed': 'Confirmed', 'stats.dismissed': 'Dismissed',
  'stats.accept_hours': 'Median h to accept', 'stats.close_h': 'Median h to close', 'stats.overdue': 'Overdue',
  'stats.reasons': 'Dismissal reasons', 'stats.by_status': 'By status', 'stats.empty': 'No statistics',
  'stats.group': 'Group: {k}',
  'rules.title': 'Loaded rules', 'rules.params': 'Parameters', 'rules.clauses': 'Legal basis', 'rules.item': 'Supervision item',
  'rules.mode': 'Mode', 'rules.ruleset': 'Ruleset', 'rules.stats': 'Rule statistics', 'rules.backtest': 'Backtest this ruleset',
  'bt.title': 'Backtest and threshold sweep', 'bt.rules': 'Candidate ruleset (YAML)', 'bt.rules_file': 'or upload a rule file',
  'bt.events': 'Events', 'bt.events_file': 'Events file (JSON Lines, optional)', 'bt.from': 'Events from', 'bt.to': 'Events to',
  'bt.sweep': 'Threshold sweep (optional)', 'bt.param': 'Parameter (e.g. FOOD-COMPLAINT-SURGE:min_count)',
  'bt.values': 'Values (comma-separated, e.g. 3,4,5,6)', 'bt.run': 'Run backtest', 'bt.check': 'Check only',
  'bt.running': 'Running…', 'bt.summary': 'Summary', 'bt.chart': 'Leads and precision', 'bt.added': 'Added leads',
  'bt.removed': 'Removed leads', 'bt.diags': 'Check output', 'bt.ok': 'Check passed, no errors', 'bt.baseline': 'Current rules',
  'bt.candidate': 'Candidate', 'bt.leads': 'Leads', 'bt.precision': 'Precision', 'bt.value': 'Value',
  'bt.raw': 'Full report (JSON)', 'bt.none': 'none', 'bt.need_rules': 'Paste or upload a candidate ruleset',
  'entity.title': 'Entity', 'entity.lookup': 'Entity id (unified social credit code)', 'entity.profile': 'Profile',
  'entity.state': 'Aggregate state', 'entity.suppress': 'Suppressions', 'entity.leads': 'All its leads',
  'statutes.title': 'Statutes', 'statutes.lookup': 'Clause reference (e.g. food-safety-law#34.1.6)',
  'statutes.cited': 'Clauses cited by rules', 'statutes.versions': 'Versions', 'statutes.diffs': 'Differences',
  'statutes.compare': 'Compare {a} → {b}', 'statutes.cited_by': 'Cited by',
  'audit.title': 'Audit log', 'audit.verify': 'Verify the hash chain', 'audit.ok': 'Chain intact, {n} entries',
  'audit.bad': 'Chain broken at entry {seq}: {reason}', 'audit.lead': 'Lead', 'audit.actor': 'Actor',
  'audit.seq': 'Seq', 'audit.time': 'Time', 'audit.action': 'Action', 'audit.changes': 'Changes', 'audit.role': 'Role',
  'users.title': 'Users and tokens', 'users.add': 'Add user', 'users.name': 'Name', 'users.role': 'Role',
  'users.scope': 'Scope (region prefixes and departments, comma-separated; * for all)', 'users.token_once': 'New token (shown only once): ',
  'users.reload': 'Reload rules and configuration', 'users.reloaded': 'Reloaded',
};

// Values the API speaks in English names (status, level, action, role) or in Chinese (measures, reasons).
const enums = {
  status: {new: ['下发', 'New'], accepted: ['已签收', 'Accepted'], verifying: ['核查中', 'Verifying'],
    confirmed: ['属实', 'Confirmed'], dismissed: ['不属实', 'Dismissed'], returned: ['已退回', 'Returned'],
    closed: ['已办结', 'Closed']},
  level: {red: ['红色', 'Red'], orange: ['橙色', 'Orange'], yellow: ['黄色', 'Yellow'], blue: ['蓝色', 'Blue']},
  action: {create: ['生成', 'Created'], accept: ['签收', 'Accept'], verify: ['核查', 'Verify'], confirm: ['属实', 'Confirm'],
    dismiss: ['不属实', 'Dismiss'], return: ['退回', 'Return'], reassign: ['改派', 'Reassign'], close: ['办结', 'Close'],
    send_back: ['退回重办', 'Send back'], reopen: ['重新打开', 'Reopen'], urge: ['督办', 'Urge'],
    republish: ['依据变更', 'Basis changed']},
  role: {regulator: ['监管人员', 'Regulator'], supervisor: ['督办/审核', 'Supervisor'], author: ['规则制定者', 'Rule author'],
    auditor: ['审计', 'Auditor'], admin: ['管理员', 'Admin'], system: ['系统', 'System']},
  measure: {'责令改正': 'Order to correct', '立案调查': 'Open a case', '行政处罚': 'Administrative penalty',
    '移送': 'Transfer', '约谈': 'Admonitory talk', '其他': 'Other'},
  reason: {'数据错误': 'Data error', '规则误报': 'False alarm by the rule', '已处置': 'Already handled',
    '不属本辖区': 'Not our jurisdiction', '其他': 'Other'},
  mode: {live: ['正式', 'Live'], shadow: ['影子', 'Shadow']},
};

export const MEASURES = Object.keys(enums.measure);
export const REASONS = Object.keys(enums.reason);
export const STATUSES = Object.keys(enums.status);
export const LEVELS = Object.keys(enums.level);
export const ROLES = ['regulator', 'supervisor', 'author', 'auditor', 'admin'];

export function lang() {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
}

export function setLang(l) {
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
}

export function t(key, vars = {}) {
  const s = (lang() === 'en' ? en : zh)[key] ?? zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// The words for an API value of a kind; unknown values show as they are.
export function label(kind, value) {
  if (value == null) return '';
  const e = enums[kind]?.[value];
  if (!e) return String(value);
  if (typeof e === 'string') return lang() === 'en' ? e : value; // Chinese values, English glosses
  return e[lang() === 'en' ? 1 : 0];
}
