/* report.c — HTML, SVG and PNG from a backtest report. The chart is laid out once
 * (scales, ticks, bars, lines, legend) and drawn through a small canvas interface,
 * so the inline SVG and the cairo PNG are the same picture. */
#include "report.h"

#include "rules.h"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 760.0
#define H 380.0
#define FONT                                                                                       \
    "WenQuanYi Micro Hei" /* a CJK font for the PNG (fonts-wqy-microhei); fontconfig falls back */
#define LISTED_MAX 100 /* added/removed leads listed per rule in the page (all are in the JSON) */

/* ---- the canvas ------------------------------------------------------------------------ */

typedef struct canvas canvas_t;
struct canvas {
    void (*line)(canvas_t *c, double x1, double y1, double x2, double y2, const char *color,
                 double width, int dashed);
    void (*rect)(canvas_t *c, double x, double y, double w, double h, const char *color);
    void (*dot)(canvas_t *c, double x, double y, double r, const char *color);
    /* anchor: -1 start, 0 middle, 1 end; y is the baseline */
    void (*text)(canvas_t *c, double x, double y, const char *s, double size, int anchor,
                 const char *color);
    void *ud;
};

static void esc(rw_buf_t *b, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '<':
            rw_buf_puts(b, "&lt;");
            break;
        case '>':
            rw_buf_puts(b, "&gt;");
            break;
        case '&':
            rw_buf_puts(b, "&amp;");
            break;
        case '"':
            rw_buf_puts(b, "&quot;");
            break;
        default:
            rw_buf_putc(b, *s);
        }
}

static void svg_line(canvas_t *c, double x1, double y1, double x2, double y2, const char *color,
                     double width, int dashed)
{
    rw_buf_printf(c->ud,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                  "stroke-width=\"%.1f\"%s/>\n",
                  x1, y1, x2, y2, color, width, dashed ? " stroke-dasharray=\"4 3\"" : "");
}

static void svg_rect(canvas_t *c, double x, double y, double w, double h, const char *color)
{
    rw_buf_printf(c->ud,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x,
                  y, w, h, color);
}

static void svg_dot(canvas_t *c, double x, double y, double r, const char *color)
{
    rw_buf_printf(c->ud, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", x, y, r,
                  color);
}

static void svg_text(canvas_t *c, double x, double y, const char *s, double size, int anchor,
                     const char *color)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    rw_buf_printf(c->ud,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\" fill=\"%s\">",
                  x, y, size, anchors[anchor + 1], color);
    esc(c->ud, s);
    rw_buf_puts(c->ud, "</text>\n");
}

static void cairo_color(cairo_t *cr, const char *hex)
{
    unsigned v = (unsigned)strtoul(hex + 1, NULL, 16);
    cairo_set_source_rgb(cr, ((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0,
                         (v & 255) / 255.0);
}

static void png_line(canvas_t *c, double x1, double y1, double x2, double y2, const char *color,
                     double width, int dashed)
{
    cairo_t *cr = c->ud;
    static const double dash[] = {4, 3};
    cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
    cairo_color(cr, color);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x2, y2);
    cairo_stroke(cr);
}

static void png_rect(canvas_t *c, double x, double y, double w, double h, const char *color)
{
    cairo_color(c->ud, color);
    cairo_rectangle(c->ud, x, y, w, h);
    cairo_fill(c->ud);
}

static void png_dot(canvas_t *c, double x, double y, double r, const char *color)
{
    cairo_color(c->ud, color);
    cairo_arc(c->ud, x, y, r, 0, 2 * M_PI);
    cairo_fill(c->ud);
}

static void png_text(canvas_t *c, double x, double y, const char *s, double size, int anchor,
                     const char *color)
{
    cairo_t *cr = c->ud;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s, &ext);
    cairo_color(cr, color);
    cairo_move_to(cr, x - ext.x_advance * (anchor + 1) / 2.0, y);
    cairo_show_text(cr, s);
}

/* ---- the chart ------------------------------------------------------------------------- */

typedef struct {
    const char *name, *color;
    double *y; /* NAN where there is no value */
    int right; /* on the right axis: a fraction shown as % */
    int bars;
} series_t;

typedef struct {
    char title[512];
    const char **x;
    size_t n;
    series_t s[3];
    size_t ns;
    const char *left_label, *right_label;
    int mark; /* the x highlighted as the current value, or -1 */
} chart_t;

/* A step of 1, 2 or 5 × 10^k giving about five ticks up to max. */
static double nice_step(double max)
{
    double raw = max / 5, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void draw_chart(canvas_t *c, const chart_t *ch)
{
    const double left = 64, right = W - 64, top = 56, bottom = H - 72;
    const double pw = right - left, ph = bottom - top;
    c->rect(c, 0, 0, W, H, "#ffffff");
    c->text(c, W / 2, 26, ch->title, 15, 0, "#222222");
    double max = 0;
    int has_right = 0, n_bars = 0;
    for (size_t k = 0; k < ch->ns; k++) {
        has_right |= ch->s[k].right;
        n_bars += ch->s[k].bars;
        for (size_t i = 0; !ch->s[k].right && i < ch->n; i++)
            if (!isnan(ch->s[k].y[i]) && ch->s[k].y[i] > max) max = ch->s[k].y[i];
    }
    double step = max > 0 ? nice_step(max) : 1;
    if (step < 1) step = 1; /* counts */
    double ymax = ceil(max / step) * step;
    if (ymax <= 0) ymax = step;
    char label[64];
    for (double v = 0; v <= ymax + step / 2; v += step) {
        double y = bottom - v / ymax * ph;
        c->line(c, left, y, right, y, v == 0 ? "#888888" : "#e4e4e4", 1, 0);
        snprintf(label, sizeof label, "%.0f", v);
        c->text(c, left - 6, y + 4, label, 11, 1, "#555555");
    }
    if (ch->left_label) c->text(c, left, top - 10, ch->left_label, 12, -1, "#555555");
    if (has_right) {
        for (int q = 0; q <= 4; q++) {
            snprintf(label, sizeof label, "%d%%", q * 25);
            c->text(c, right + 6, bottom - q / 4.0 * ph + 4, label, 11, -1, "#555555");
        }
        if (ch->right_label) c->text(c, right, top - 10, ch->right_label, 12, 1, "#555555");
    }
    if (!ch->n) {
        c->text(c, W / 2, top + ph / 2, "没有线索", 14, 0, "#888888");
        return;
    }
    double band = pw / (double)ch->n;
    size_t every = (size_t)ceil(46.0 / band); /* labels at least 46 px apart */
    if (every < 1) every = 1;
    for (size_t i = 0; i < ch->n; i++) {
        double x = left + (i + 0.5) * band;
        if (i % every == 0) c->text(c, x, bottom + 16, ch->x[i], 11, 0, "#333333");
        if ((int)i == ch->mark) {
            c->line(c, x, top, x, bottom, "#999999", 1, 1);
            c->text(c, x, bottom + 30, "现行", 11, 0, "#666666");
        }
    }
    int bar = 0;
    for (size_t k = 0; k < ch->ns; k++) {
        const series_t *s = &ch->s[k];
        double scale = s->right ? 1 : ymax;
        double px = NAN, py = NAN;
        for (size_t i = 0; i < ch->n; i++) {
            double x = left + (i + 0.5) * band, v = s->y[i];
            if (isnan(v)) {
                px = NAN;
                continue;
            }
            double y = bottom - v / scale * ph;
            if (s->bars) {
                double bw = band * 0.7 / n_bars;
                c->rect(c, x - band * 0.35 + bar * bw, y, bw - 1, bottom - y, s->color);
            } else {
                if (!isnan(px)) c->line(c, px, py, x, y, s->color, 2, 0);
                c->dot(c, x, y, 3, s->color);
                px = x;
                py = y;
            }
        }
        bar += s->bars;
    }
    double lx = left;
    for (size_t k = 0; k < ch->ns; k++) { /* the legend */
        c->rect(c, lx, H - 22, 12, 12, ch->s[k].color);
        c->text(c, lx + 16, H - 12, ch->s[k].name, 12, -1, "#333333");
        lx += 36 + 13.0 * (double)rw_utf8_count(ch->s[k].name, strlen(ch->s[k].name));
    }
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static double real_or_nan(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The chart of a report; its arrays are freed by chart_free. */
static void chart_build(const json_t *report, chart_t *ch)
{
    memset(ch, 0, sizeof *ch);
    ch->mark = -1;
    ch->left_label = "线索数";
    if (!strcmp(str(report, "kind"), "sweep")) {
        const json_t *sw = json_object_get(report, "sweep"),
                     *values = json_object_get(sw, "values");
        ch->n = json_array_size(values);
        snprintf(ch->title, sizeof ch->title, "%s 按 %s 取值的线索数与精确率", str(sw, "rule"),
                 str(sw, "param"));
        ch->x = rw_xcalloc(ch->n + 1, sizeof *ch->x);
        ch->ns = 3;
        ch->s[0] = (series_t){.name = "线索数", .color = "#4e79a7", .bars = 1};
        ch->s[1] = (series_t){.name = "命中已证实主体", .color = "#59a14f"};
        ch->s[2] = (series_t){.name = "精确率（右轴）", .color = "#e15759", .right = 1};
        ch->right_label = "精确率";
        for (size_t k = 0; k < 3; k++)
            ch->s[k].y = rw_xcalloc(ch->n + 1, sizeof(double));
        for (size_t i = 0; i < ch->n; i++) {
            const json_t *v = json_array_get(values, i);
            ch->x[i] = str(v, "value");
            ch->s[0].y[i] = (double)num(v, "leads");
            ch->s[1].y[i] = (double)num(v, "on_confirmed_entities");
            ch->s[2].y[i] = real_or_nan(json_object_get(v, "precision"));
            if (json_is_true(json_object_get(v, "current"))) ch->mark = (int)i;
        }
        return;
    }
    const json_t *tot = json_object_get(report, "totals");
    const json_t *a = json_object_get(json_object_get(tot, "current"), "by_month");
    const json_t *b = json_object_get(json_object_get(tot, "candidate"), "by_month");
    snprintf(ch->title, sizeof ch->title, "每月线索数：现行规则与候选规则");
    ch->x = rw_xcalloc(json_object_size(a) + json_object_size(b) + 1, sizeof *ch->x);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) ch->x[ch->n++] = k;
    json_object_foreach((json_t *)b, k, v) if (!json_object_get(a, k)) ch->x[ch->n++] = k;
    for (size_t i = 1; i < ch->n; i++) /* months in order */
        for (size_t j = i; j > 0 && strcmp(ch->x[j - 1], ch->x[j]) > 0; j--) {
            const char *t = ch->x[j];
            ch->x[j] = ch->x[j - 1];
            ch->x[j - 1] = t;
        }
    ch->ns = 2;
    ch->s[0] = (series_t){.name = "现行规则", .color = "#4e79a7"};
    ch->s[1] = (series_t){.name = "候选规则", .color = "#f28e2b"};
    for (size_t s = 0; s < 2; s++) {
        ch->s[s].y = rw_xcalloc(ch->n + 1, sizeof(double));
        for (size_t i = 0; i < ch->n; i++)
            ch->s[s].y[i] = (double)json_integer_value(json_object_get(s ? b : a, ch->x[i]));
    }
}

static void chart_free(chart_t *ch)
{
    free(ch->x);
    for (size_t k = 0; k < ch->ns; k++)
        free(ch->s[k].y);
}

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int len)
{
    rw_buf_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

int rw_report_png(const json_t *report, rw_buf_t *out, char *err, size_t errlen)
{
    chart_t ch;
    chart_build(report, &ch);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W * 2, (int)H * 2);
    cairo_t *cr = cairo_create(surf);
    cairo_scale(cr, 2, 2); /* twice the pixels: sharp on dense screens */
    canvas_t c = {png_line, png_rect, png_dot, png_text, cr};
    draw_chart(&c, &ch);
    cairo_surface_flush(surf);
    cairo_status_t st = cairo_status(cr);
    if (!st) st = cairo_surface_write_to_png_stream(surf, png_write, out);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    chart_free(&ch);
    if (st) snprintf(err, errlen, "无法生成 PNG 图表: %s", cairo_status_to_string(st));
    return st ? -1 : 0;
}

/* ---- the page --------------------------------------------------------------------------- */

static void cell_num(rw_buf_t *b, json_int_t v)
{
    rw_buf_printf(b, "<td class=\"n\">%lld</td>", (long long)v);
}

static void cell_pct(rw_buf_t *b, const json_t *v)
{
    if (json_is_number(v))
        rw_buf_printf(b, "<td class=\"n\">%.1f%%</td>", json_number_value(v) * 100);
    else
        rw_buf_puts(b, "<td class=\"n\">—</td>");
}

static void cell(rw_buf_t *b, const char *s)
{
    rw_buf_puts(b, "<td>");
    esc(b, s);
    rw_buf_puts(b, "</td>");
}

static void row2(rw_buf_t *b, const char *k, const char *v)
{
    rw_buf_puts(b, "<tr><th>");
    esc(b, k);
    rw_buf_puts(b, "</th>");
    cell(b, v);
    rw_buf_puts(b, "</tr>\n");
}

static void summary(rw_buf_t *b, const json_t *r)
{
    const json_t *ev = json_object_get(r, "events"), *t = json_object_get(r, "timing");
    const json_t *past = json_object_get(r, "dispositions");
    char v[512];
    rw_buf_puts(b, "<h2>概要</h2>\n<table class=\"kv\">\n");
    row2(b, "事件来源", str(ev, "source"));
    snprintf(v, sizeof v,
             "%lld 行：有效 %lld，无效 %lld；应用 %lld，重复 %lld，迟到 %lld，未知类型 %lld",
             (long long)num(ev, "lines"), (long long)num(ev, "valid"),
             (long long)num(ev, "invalid"), (long long)num(ev, "applied"),
             (long long)num(ev, "duplicate"), (long long)num(ev, "late"),
             (long long)num(ev, "unknown_type"));
    row2(b, "事件", v);
    row2(b, "现行规则", str(r, "against"));
    row2(b, "候选规则", str(r, "candidate"));
    rw_buf_t s;
    rw_buf_init(&s);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "sets"), i, x)
        rw_buf_printf(&s, "%s%s", i ? "，" : "", json_string_value(x));
    row2(b, "参数覆盖 --set", s.len ? s.data : "无");
    rw_buf_reset(&s);
    json_array_foreach(json_object_get(r, "regions"), i, x)
        rw_buf_printf(&s, "%s%s", i ? "，" : "", json_string_value(x));
    row2(b, "区划范围", s.len ? s.data : "全部");
    rw_buf_free(&s);
    if (json_is_object(past))
        snprintf(v, sizeof v, "%lld 条线索：属实 %lld，不属实 %lld；有属实线索的主体 %lld 个",
                 (long long)num(past, "leads"), (long long)num(past, "confirmed"),
                 (long long)num(past, "dismissed"), (long long)num(past, "confirmed_entities"));
    else
        snprintf(v, sizeof v, "未提供（精确率无法计算）");
    row2(b, "历史处置", v);
    snprintf(v, sizeof v, "解析 %.1f 秒；%lld 次运行（%lld 线程）%.1f 秒，合计 %.0f 事件/秒",
             json_number_value(json_object_get(t, "parse_seconds")), (long long)num(t, "runs"),
             (long long)num(t, "threads"), json_number_value(json_object_get(t, "run_seconds")),
             json_number_value(json_object_get(t, "events_per_second")));
    row2(b, "用时", v);
    rw_buf_puts(b, "</table>\n");
}

static void level_header(rw_buf_t *b)
{
    rw_buf_puts(b, "<th>红</th><th>橙</th><th>黄</th><th>蓝</th>");
}

static void level_cells(rw_buf_t *b, const json_t *stats)
{
    const json_t *lv = json_object_get(stats, "by_level");
    for (int l = RW_LEVEL__COUNT - 1; l >= 0; l--)
        cell_num(b, num(lv, rw_level_name(l)));
}

static void sweep_page(rw_buf_t *b, const json_t *r)
{
    const json_t *sw = json_object_get(r, "sweep");
    rw_buf_puts(b, "<h2>各取值的结果</h2>\n<p>");
    esc(b, str(sw, "rule"));
    rw_buf_puts(b, "（");
    esc(b, str(sw, "title"));
    rw_buf_puts(b, "）的参数 <code>");
    esc(b, str(sw, "param"));
    char cur[RW_NUM_TEXT] = "";
    const json_t *cv = json_object_get(sw, "current_value");
    if (json_is_number(cv)) rw_fmt_number(json_number_value(cv), cur);
    rw_buf_puts(b, "</code>，规则集 ");
    esc(b, str(sw, "ruleset"));
    rw_buf_puts(b, " 中的现行值为 ");
    esc(b, json_is_string(cv) ? json_string_value(cv) : cur);
    rw_buf_puts(b, "；扫描的每个取值同样替换区划覆盖中的值（与 --set 相同）");
    const json_t *over = json_object_get(sw, "overrides");
    if (json_object_size(over)) {
        rw_buf_puts(b, "。区划覆盖中另有取值：");
        const char *k;
        json_t *ov;
        int first = 1;
        json_object_foreach((json_t *)over, k, ov)
        {
            char *text = json_dumps(ov, JSON_ENCODE_ANY);
            rw_buf_puts(b, first ? "" : "、");
            esc(b, k);
            rw_buf_puts(b, " 为 ");
            esc(b, text ? text : "");
            free(text);
            first = 0;
        }
        rw_buf_puts(b, "，所以没有一行等于现行配置");
    }
    rw_buf_puts(b, "。</p>\n<table>\n<tr><th>取值</th><th>线索数</th>");
    level_header(b);
    rw_buf_puts(
        b,
        "<th>有处置</th><th>属实</th><th>不属实</th><th>精确率</th><th>命中已证实主体</th></tr>\n");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(sw, "values"), i, v)
    {
        int now = json_is_true(json_object_get(v, "current"));
        rw_buf_printf(b, "<tr%s><td>", now ? " class=\"cur\"" : "");
        esc(b, str(v, "value"));
        rw_buf_printf(b, "%s</td>", now ? "（现行）" : "");
        cell_num(b, num(v, "leads"));
        level_cells(b, v);
        cell_num(b, num(v, "judged"));
        cell_num(b, num(v, "confirmed"));
        cell_num(b, num(v, "dismissed"));
        cell_pct(b, json_object_get(v, "precision"));
        cell_num(b, num(v, "on_confirmed_entities"));
        rw_buf_puts(b, "</tr>\n");
    }
    rw_buf_puts(b, "</table>\n");
}

static const char *rule_state(const json_t *row)
{
    if (!json_is_true(json_object_get(row, "in_current"))) return "新增规则";
    if (!json_is_true(json_object_get(row, "in_candidate"))) return "删除规则";
    if (json_is_true(json_object_get(row, "changed"))) return "已修改";
    return json_is_true(json_object_get(row, "params_changed")) ? "参数已修改" : "未修改";
}

static void lead_list(rw_buf_t *b, const json_t *part, int added)
{
    const json_t *leads = json_object_get(part, "leads");
    if (!json_array_size(leads)) return;
    rw_buf_printf(b,
                  "<h4>%s的线索（%lld "
                  "条）</h4>\n<table>\n<tr><th>日期</th><th>主体</th><th>名称</th><th>区划</th>"
                  "<th>等级</th><th>%s</th><th>线索 id</th></tr>\n",
                  added ? "新增" : "减少", (long long)json_array_size(leads),
                  added ? "主体曾有属实线索" : "历史处置");
    size_t i;
    json_t *l;
    json_array_foreach(leads, i, l)
    {
        if (i == LISTED_MAX) break;
        rw_buf_puts(b, "<tr>");
        cell(b, str(l, "date"));
        cell(b, str(l, "entity"));
        cell(b, str(l, "entity_name"));
        cell(b, str(l, "region"));
        cell(b, str(l, "level"));
        if (added)
            cell(b, json_is_true(json_object_get(l, "entity_confirmed")) ? "是" : "");
        else {
            const char *d = str(l, "disposition");
            cell(b, !strcmp(d, "confirmed") ? "属实" : !strcmp(d, "dismissed") ? "不属实" : "");
        }
        rw_buf_puts(b, "<td><code>");
        esc(b, str(l, "id"));
        rw_buf_puts(b, "</code></td></tr>\n");
    }
    rw_buf_puts(b, "</table>\n");
    if (json_array_size(leads) > LISTED_MAX)
        rw_buf_printf(b, "<p class=\"note\">只列出前 %d 条，其余见 JSON 报告（--json）。</p>\n",
                      LISTED_MAX);
}

static void rule_detail(rw_buf_t *b, const json_t *row)
{
    const json_t *a = json_object_get(row, "current"), *c = json_object_get(row, "candidate");
    const json_t *add = json_object_get(row, "added"), *rem = json_object_get(row, "removed");
    int differs = num(add, "count") || num(rem, "count");
    rw_buf_printf(b, "<details%s><summary>", differs ? " open" : "");
    esc(b, str(row, "rule"));
    rw_buf_puts(b, " ");
    esc(b, str(row, "title"));
    rw_buf_printf(b, "：现行 %lld 条，候选 %lld 条，新增 %lld，减少 %lld</summary>\n",
                  (long long)num(a, "leads"), (long long)num(c, "leads"),
                  (long long)num(add, "count"), (long long)num(rem, "count"));
    rw_buf_puts(b, "<table>\n<tr><th></th><th>线索数</th>");
    level_header(b);
    rw_buf_puts(b, "<th>属实</th><th>不属实</th><th>精确率</th></tr>\n");
    for (int side = 0; side < 2; side++) {
        const json_t *s = side ? c : a;
        rw_buf_printf(b, "<tr><th>%s</th>", side ? "候选" : "现行");
        cell_num(b, num(s, "leads"));
        level_cells(b, s);
        cell_num(b, num(s, "confirmed"));
        cell_num(b, num(s, "dismissed"));
        cell_pct(b, json_object_get(s, "precision"));
        rw_buf_puts(b, "</tr>\n");
    }
    rw_buf_puts(
        b,
        "</table>\n<table class=\"months\">\n<tr><th>月份</th><th>现行</th><th>候选</th></tr>\n");
    const json_t *ma = json_object_get(a, "by_month"), *mc = json_object_get(c, "by_month");
    json_t *months = json_object();
    json_object_update((json_t *)months, (json_t *)ma);
    json_object_update_missing(months, (json_t *)mc);
    const char **keys = rw_xmalloc((json_object_size(months) + 1) * sizeof *keys);
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(months, k, v) keys[n++] = k;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        rw_buf_puts(b, "<tr>");
        cell(b, keys[i]);
        cell_num(b, num(ma, keys[i]));
        cell_num(b, num(mc, keys[i]));
        rw_buf_puts(b, "</tr>\n");
    }
    free(keys);
    json_decref(months);
    rw_buf_puts(b, "</table>\n");
    lead_list(b, add, 1);
    lead_list(b, rem, 0);
    rw_buf_puts(b, "</details>\n");
}

static void backtest_page(rw_buf_t *b, const json_t *r)
{
    const json_t *tot = json_object_get(r, "totals");
    rw_buf_puts(b, "<h2>总计</h2>\n<table>\n<tr><th></th><th>线索数</th>");
    level_header(b);
    rw_buf_puts(b, "<th>有处置</th><th>属实</th><th>不属实</th><th>精确率</"
                   "th><th>主体曾有属实线索</th></tr>\n");
    for (int side = 0; side < 2; side++) {
        const json_t *s = json_object_get(tot, side ? "candidate" : "current");
        rw_buf_printf(b, "<tr><th>%s</th>", side ? "候选规则" : "现行规则");
        cell_num(b, num(s, "leads"));
        level_cells(b, s);
        cell_num(b, num(s, "judged"));
        cell_num(b, num(s, "confirmed"));
        cell_num(b, num(s, "dismissed"));
        cell_pct(b, json_object_get(s, "precision"));
        cell_num(b, num(s, "on_confirmed_entities"));
        rw_buf_puts(b, "</tr>\n");
    }
    rw_buf_printf(b,
                  "</table>\n<p>候选规则新增 %lld 条线索，减少 %lld 条（按线索 id 比较：规则 + "
                  "主体 + 触发事件）。</p>\n",
                  (long long)num(tot, "added"), (long long)num(tot, "removed"));
    rw_buf_puts(
        b, "<h2>逐条规则</h2>\n<table>\n<tr><th>规则</th><th>标题</th><th>规则集</th><th>状态</"
           "th><th>现行</th>"
           "<th>候选</th><th>新增</th><th>其中主体曾有属实线索</th><th>减少</th><th>其中曾属实</th>"
           "<th>现行精确率</th><th>候选精确率</th></tr>\n");
    size_t i;
    json_t *row;
    const json_t *rules = json_object_get(r, "rules");
    json_array_foreach(rules, i, row)
    {
        const json_t *add = json_object_get(row, "added"), *rem = json_object_get(row, "removed");
        rw_buf_puts(b, "<tr>");
        cell(b, str(row, "rule"));
        cell(b, str(row, "title"));
        cell(b, str(row, "ruleset"));
        cell(b, rule_state(row));
        cell_num(b, num(json_object_get(row, "current"), "leads"));
        cell_num(b, num(json_object_get(row, "candidate"), "leads"));
        cell_num(b, num(add, "count"));
        cell_num(b, num(add, "on_confirmed_entities"));
        cell_num(b, num(rem, "count"));
        cell_num(b, num(rem, "confirmed"));
        cell_pct(b, json_object_get(json_object_get(row, "current"), "precision"));
        cell_pct(b, json_object_get(json_object_get(row, "candidate"), "precision"));
        rw_buf_puts(b, "</tr>\n");
    }
    rw_buf_puts(b, "</table>\n<h2>规则明细（按等级、按月；新增与减少的线索）</h2>\n");
    json_array_foreach(rules, i, row) if (num(json_object_get(row, "current"), "leads") ||
                                          num(json_object_get(row, "candidate"), "leads"))
        rule_detail(b, row);
}

char *rw_report_html(const json_t *report)
{
    int sweep = !strcmp(str(report, "kind"), "sweep");
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(
        &b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    rw_buf_puts(&b, sweep ? "regwatch 阈值扫描报告" : "regwatch 回测报告");
    rw_buf_puts(&b, "</title>\n<style>\n"
                    "body{font-family:\"WenQuanYi Micro Hei\",\"Noto Sans CJK "
                    "SC\",sans-serif;margin:24px;color:#222}\n"
                    "table{border-collapse:collapse;margin:8px 0 16px}\n"
                    "th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px}\n"
                    "th{background:#f3f3f3;text-align:left}td.n{text-align:right}\n"
                    "tr.cur td{background:#fff6d5}table.kv th{width:9em}\n"
                    "details{margin:6px 0;border-left:3px solid #ddd;padding-left:10px}\n"
                    "summary{cursor:pointer;font-weight:bold}.note{color:#666;font-size:12px}\n"
                    "</style>\n</head>\n<body>\n<h1>");
    if (sweep) {
        const json_t *sw = json_object_get(report, "sweep");
        rw_buf_puts(&b, "阈值扫描：");
        esc(&b, str(sw, "rule"));
        rw_buf_puts(&b, " · ");
        esc(&b, str(sw, "param"));
    } else
        rw_buf_puts(&b, "规则回测：现行规则与候选规则");
    rw_buf_puts(&b, "</h1>\n");
    summary(&b, report);
    chart_t ch;
    chart_build(report, &ch);
    rw_buf_printf(
        &b,
        "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
        "viewBox=\"0 0 %.0f %.0f\" font-family=\"WenQuanYi Micro Hei, sans-serif\">\n",
        W, H, W, H);
    canvas_t c = {svg_line, svg_rect, svg_dot, svg_text, &b};
    draw_chart(&c, &ch);
    chart_free(&ch);
    rw_buf_puts(&b, "</svg>\n</figure>\n");
    if (sweep)
        sweep_page(&b, report);
    else
        backtest_page(&b, report);
    rw_buf_puts(
        &b,
        "<p class=\"note\">精确率 = 属实 /（属实 + 不属实），只计历史处置中有结论的线索（按线索 id "
        "匹配）；“主体曾有属实线索”按主体匹配任一规则的属实线索。由 regwatch backtest 生成。</p>\n"
        "</body>\n</html>\n");
    return rw_buf_steal(&b);
}
