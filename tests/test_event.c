/* Tests for event.c: a valid event parses with every field reachable, and every kind of
 * invalid event in events.md is rejected with the right code, field path and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "util.h"

#define ID "\"id\":\"12315-2026-0000123\""
#define TYPE "\"type\":\"complaint\""
#define ENTITY "\"entity\":\"91320102MA1XXXXX0X\""
#define TIME "\"time\":\"2026-03-04T10:15:00+08:00\""
#define REQ ID "," TYPE "," ENTITY "," TIME

static const char *example =
    "{\n"
    "  \"id\": \"12315-2026-0000123\",\n"
    "  \"type\": \"complaint\",\n"
    "  \"entity\": \"91320102MA1XXXXX0X\",\n"
    "  \"time\": \"2026-03-04T10:15:00+08:00\",\n"
    "  \"region\": \"320102\",\n"
    "  \"source\": \"12315\",\n"
    "  \"attrs\": {\"category\": \"food\", \"channel\": \"hotline\", \"amount\": 120.5},\n"
    "  \"profile\": {\"name\": \"某某食品有限公司\", \"industry\": \"H6210\", \"region\": "
    "\"320102\"}\n"
    "}";

/* Parses n bytes with an optional key and asserts the rejection: code, field, and a
 * non-empty UTF-8 reason that names the field. */
static void expect_reject_n(const char *buf, size_t n, const char *key, rw_event_status_t code,
                            const char *field)
{
    rw_event_t ev;
    rw_event_error_t err;
    int rc = rw_event_parse(buf, n, key, key ? strlen(key) : 0, 0, &ev, &err);
    assert_int_equal(rc, -1);
    assert_string_equal(rw_event_code_name(err.code), rw_event_code_name(code));
    assert_string_equal(err.field, field);
    assert_true(err.reason[0] != '\0');
    assert_true(rw_utf8_valid(err.reason, strlen(err.reason)));
    if (field[0]) assert_non_null(strstr(err.reason, field));
    assert_null(ev.root);
}

static void expect_reject(const char *json, rw_event_status_t code, const char *field)
{
    expect_reject_n(json, strlen(json), NULL, code, field);
}

static void expect_accept(const char *json)
{
    rw_event_t ev;
    rw_event_error_t err;
    int rc = rw_event_parse(json, strlen(json), NULL, 0, 0, &ev, &err);
    if (rc != 0) fail_msg("rejected %s: %s (%s)", json, err.reason, err.field);
    rw_event_free(&ev);
}

static void valid_event_has_every_field(void **state)
{
    (void)state;
    rw_event_t ev;
    rw_event_error_t err;
    assert_int_equal(rw_event_parse(example, strlen(example), "91320102MA1XXXXX0X", 18,
                                    RW_EVENT_MAX_SIZE_DEFAULT, &ev, &err),
                     0);
    assert_int_equal(err.code, RW_EV_OK);
    assert_non_null(ev.root);
    assert_string_equal(ev.id, "12315-2026-0000123");
    assert_int_equal(ev.id_len, 18);
    assert_string_equal(ev.type, "complaint");
    assert_int_equal(ev.type_len, 9);
    assert_string_equal(ev.entity, "91320102MA1XXXXX0X");
    assert_int_equal(ev.entity_len, 18);
    assert_string_equal(ev.time_text, "2026-03-04T10:15:00+08:00");
    assert_true(ev.time == 1772590500.0);
    assert_string_equal(ev.region, "320102");
    assert_string_equal(ev.source, "12315");
    assert_string_equal(json_string_value(json_object_get(ev.attrs, "category")), "food");
    assert_true(json_number_value(json_object_get(ev.attrs, "amount")) == 120.5);
    assert_string_equal(json_string_value(json_object_get(ev.profile, "name")), "某某食品有限公司");
    assert_string_equal(json_string_value(json_object_get(ev.profile, "industry")), "H6210");
    rw_event_free(&ev);
    assert_null(ev.root);
}

static void optional_fields_may_be_absent_or_null(void **state)
{
    (void)state;
    rw_event_t ev;
    rw_event_error_t err;
    const char *bare = "{" REQ "}";
    assert_int_equal(rw_event_parse(bare, strlen(bare), NULL, 0, 0, &ev, &err), 0);
    assert_null(ev.region);
    assert_null(ev.source);
    assert_null(ev.attrs);
    assert_null(ev.profile);
    rw_event_free(&ev);
    const char *nulls = "{" REQ ",\"region\":null,\"source\":null,\"attrs\":null,\"profile\":null}";
    assert_int_equal(rw_event_parse(nulls, strlen(nulls), NULL, 0, 0, &ev, &err), 0);
    assert_null(ev.region);
    assert_null(ev.source);
    assert_null(ev.attrs);
    assert_null(ev.profile);
    rw_event_free(&ev);
}

static void valid_edge_cases_are_accepted(void **state)
{
    (void)state;
    /* Unknown top-level fields are ignored. */
    expect_accept("{" REQ ",\"extra\":[{\"x\":[[1]]}],\"more\":{}}");
    /* attrs: nested objects, arrays of scalars, null, booleans, empty containers. */
    expect_accept("{" REQ ",\"attrs\":{\"a\":{\"b\":{\"c\":[1,\"x\",true,null]}},\"n\":null,"
                  "\"f\":false,\"e\":[],\"o\":{}}}");
    /* profile: scalars, null deletes. */
    expect_accept("{" REQ ",\"profile\":{\"name\":\"x\",\"capital\":1e6,\"listed\":true,"
                  "\"old\":null}}");
    /* Limits exactly at the edge. */
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"id\":\"%0128d\",\"type\":\"a%063d\",\"entity\":\"%064d\"," TIME
             ",\"region\":\"12\",\"source\":\"%064d\"}",
             0, 0, 0, 0);
    expect_accept(buf);
    expect_accept("{" REQ ",\"region\":\"123456789012\",\"source\":\"\"}");
    expect_accept("{\"id\":\"x\",\"type\":\"a\",\"entity\":\"某某公司\",\"time\":"
                  "\"2024-02-29T23:59:59.999Z\"}");
    expect_accept("{" ID ",\"type\":\"tax_return_2\"," ENTITY "," TIME "}");
}

static void not_utf8_is_rejected(void **state)
{
    (void)state;
    const char bad[] = "{\"id\":\"\xff\"}";
    expect_reject_n(bad, sizeof bad - 1, NULL, RW_EV_NOT_UTF8, "");
    const char overlong[] = "{" REQ ",\"source\":\"\xc0\xaf\"}";
    expect_reject_n(overlong, sizeof overlong - 1, NULL, RW_EV_NOT_UTF8, "");
}

static void not_json_is_rejected(void **state)
{
    (void)state;
    expect_reject("id=1, type=complaint", RW_EV_NOT_JSON, "");
    expect_reject("", RW_EV_NOT_JSON, "");
    expect_reject("{" REQ "} trailing", RW_EV_NOT_JSON, "");
    expect_reject("{'id':'x'}", RW_EV_NOT_JSON, "");
    expect_reject("{" REQ ",\"attrs\":{\"n\":1e999}}", RW_EV_NOT_JSON, "");
    /* \u0000 is refused: ids and names travel on as C strings. */
    expect_reject("{" REQ ",\"source\":\"a\\u0000b\"}", RW_EV_NOT_JSON, "");
    /* jansson's message quotes a bad escape byte by byte, cutting the 食 in half; the
     * reason must stay UTF-8 all the same. */
    expect_reject("{\"entity\":\"E\\u食品\"}", RW_EV_NOT_JSON, "");
}

static void truncated_json_is_rejected(void **state)
{
    (void)state;
    size_t n = strlen(example);
    /* Every prefix; those that end inside a character are not UTF-8 first. */
    for (size_t cut = 0; cut < n; cut++) {
        if (rw_utf8_valid(example, cut))
            expect_reject_n(example, cut, NULL, RW_EV_NOT_JSON, "");
        else
            expect_reject_n(example, cut, NULL, RW_EV_NOT_UTF8, "");
    }
    expect_reject_n(example, n - 1, NULL, RW_EV_NOT_JSON, "");
}

static void not_an_object_is_rejected(void **state)
{
    (void)state;
    expect_reject("["
                  "{" REQ "}"
                  "]",
                  RW_EV_NOT_OBJECT, "");
    expect_reject("\"complaint\"", RW_EV_NOT_OBJECT, "");
    expect_reject("42", RW_EV_NOT_OBJECT, "");
    expect_reject("null", RW_EV_NOT_OBJECT, "");
    expect_reject(" true\n", RW_EV_NOT_OBJECT, "");
}

static void missing_id_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" TYPE "," ENTITY "," TIME "}", RW_EV_MISSING_FIELD, "id");
}

static void missing_type_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" ID "," ENTITY "," TIME "}", RW_EV_MISSING_FIELD, "type");
}

static void missing_entity_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" ID "," TYPE "," TIME "}", RW_EV_MISSING_FIELD, "entity");
}

static void missing_time_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" ID "," TYPE "," ENTITY "}", RW_EV_MISSING_FIELD, "time");
    expect_reject("{}", RW_EV_MISSING_FIELD, "id");
}

static void required_null_is_a_bad_field(void **state)
{
    (void)state;
    expect_reject("{\"id\":null," TYPE "," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "id");
    expect_reject("{" ID ",\"type\":null," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID "," TYPE ",\"entity\":null," TIME "}", RW_EV_BAD_FIELD, "entity");
    expect_reject("{" ID "," TYPE "," ENTITY ",\"time\":null}", RW_EV_BAD_FIELD, "time");
}

static void id_wrong_type_or_length_is_rejected(void **state)
{
    (void)state;
    expect_reject("{\"id\":123," TYPE "," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "id");
    expect_reject("{\"id\":\"\"," TYPE "," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "id");
    char buf[512];
    snprintf(buf, sizeof buf, "{\"id\":\"%0129d\"," TYPE "," ENTITY "," TIME "}", 7);
    expect_reject(buf, RW_EV_BAD_FIELD, "id");
}

static void type_not_matching_the_pattern_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" ID ",\"type\":\"Complaint\"," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID ",\"type\":\"\"," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID ",\"type\":\"1st\"," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID ",\"type\":\"_x\"," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID ",\"type\":\"com-plaint\"," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID ",\"type\":\"投诉\"," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    expect_reject("{" ID ",\"type\":[\"complaint\"]," ENTITY "," TIME "}", RW_EV_BAD_FIELD, "type");
    char buf[512];
    snprintf(buf, sizeof buf, "{" ID ",\"type\":\"a%064d\"," ENTITY "," TIME "}", 0);
    expect_reject(buf, RW_EV_BAD_FIELD, "type");
}

static void entity_with_control_character_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" ID "," TYPE ",\"entity\":\"9132\\u0001X\"," TIME "}", RW_EV_BAD_FIELD,
                  "entity");
    expect_reject("{" ID "," TYPE ",\"entity\":\"9132\\nX\"," TIME "}", RW_EV_BAD_FIELD, "entity");
    expect_reject("{" ID "," TYPE ",\"entity\":\"9132\\u007fX\"," TIME "}", RW_EV_BAD_FIELD,
                  "entity");
    /* C1 controls, escaped and raw (C2 85). */
    expect_reject("{" ID "," TYPE ",\"entity\":\"9132\\u0085X\"," TIME "}", RW_EV_BAD_FIELD,
                  "entity");
    expect_reject("{" ID "," TYPE ",\"entity\":\"9132\xc2\x9fX\"," TIME "}", RW_EV_BAD_FIELD,
                  "entity");
    /* U+00A0 is not a control character. */
    expect_accept("{" ID "," TYPE ",\"entity\":\"9132\xc2\xa0X\"," TIME "}");
}

static void entity_wrong_type_or_length_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" ID "," TYPE ",\"entity\":\"\"," TIME "}", RW_EV_BAD_FIELD, "entity");
    expect_reject("{" ID "," TYPE ",\"entity\":91320102," TIME "}", RW_EV_BAD_FIELD, "entity");
    char buf[512];
    snprintf(buf, sizeof buf, "{" ID "," TYPE ",\"entity\":\"%065d\"," TIME "}", 0);
    expect_reject(buf, RW_EV_BAD_FIELD, "entity");
}

static void bad_time_forms_are_rejected(void **state)
{
    (void)state;
    const char *bad[] = {
        "2026-03-04 10:15:00+08:00",
        "2026-03-04T10:15:60Z",
        "2026-02-30T00:00:00Z",
        "2026-03-04T10:15:00",
        "2026-03-04T10:15:00+0800",
        "2026-03-04T10:15:00.Z",
        "2026-03-04t10:15:00Z",
        "2026-03-04T24:00:00Z",
        "2026-3-4T10:15:00Z",
        "2026-03-04",
        "",
        "1772590500",
        "2026-03-04T10:15:00Zjunk",
        "2026-03-04T10:15:00+08:00 ",
        "2026-13-04T10:15:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "{" ID "," TYPE "," ENTITY ",\"time\":\"%s\"}", bad[i]);
        expect_reject(buf, RW_EV_BAD_TIME, "time");
    }
}

static void time_of_the_wrong_type_is_a_bad_field(void **state)
{
    (void)state;
    expect_reject("{" ID "," TYPE "," ENTITY ",\"time\":1772590500}", RW_EV_BAD_FIELD, "time");
}

static void region_as_a_number_is_rejected(void **state)
{
    (void)state;
    rw_event_t ev;
    rw_event_error_t err;
    const char *s = "{" REQ ",\"region\":320102}";
    assert_int_equal(rw_event_parse(s, strlen(s), NULL, 0, 0, &ev, &err), -1);
    assert_int_equal(err.code, RW_EV_BAD_FIELD);
    assert_string_equal(err.field, "region");
    assert_non_null(strstr(err.reason, "字段 region 必须是 2–12 位数字字符串"));
}

static void region_out_of_limits_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"region\":\"1\"}", RW_EV_BAD_FIELD, "region");
    expect_reject("{" REQ ",\"region\":\"\"}", RW_EV_BAD_FIELD, "region");
    expect_reject("{" REQ ",\"region\":\"1234567890123\"}", RW_EV_BAD_FIELD, "region");
    expect_reject("{" REQ ",\"region\":\"32a102\"}", RW_EV_BAD_FIELD, "region");
    expect_reject("{" REQ ",\"region\":\"３２０１\"}", RW_EV_BAD_FIELD, "region");
}

static void source_wrong_type_or_too_long_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"source\":12315}", RW_EV_BAD_FIELD, "source");
    char buf[512];
    snprintf(buf, sizeof buf, "{" REQ ",\"source\":\"%065d\"}", 0);
    expect_reject(buf, RW_EV_BAD_FIELD, "source");
}

static void attrs_not_an_object_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"attrs\":[1,2]}", RW_EV_BAD_FIELD, "attrs");
    expect_reject("{" REQ ",\"attrs\":\"category=food\"}", RW_EV_BAD_FIELD, "attrs");
}

static void attrs_array_of_objects_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"attrs\":{\"items\":[1,\"x\",{\"sku\":\"a\"}]}}", RW_EV_BAD_FIELD,
                  "attrs.items[2]");
    expect_reject("{" REQ ",\"attrs\":{\"a\":{\"b\":[true,[1]]}}}", RW_EV_BAD_FIELD,
                  "attrs.a.b[1]");
}

static void profile_nested_object_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"profile\":{\"industry\":\"H6210\",\"name\":{\"zh\":\"某某\"}}}",
                  RW_EV_BAD_FIELD, "profile.name");
    expect_reject("{" REQ ",\"profile\":{\"tags\":[\"a\"]}}", RW_EV_BAD_FIELD, "profile.tags");
    expect_reject("{" REQ ",\"profile\":\"name\"}", RW_EV_BAD_FIELD, "profile");
}

static void duplicate_key_at_top_level_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"id\":\"again\"}", RW_EV_DUPLICATE_KEY, "id");
    /* named as decoded, not as written */
    expect_reject("{" REQ ",\"\\u0069d\":\"again\"}", RW_EV_DUPLICATE_KEY, "id");
    expect_reject("{" REQ ",\"attrs\":{\"\\u98df\":1,\"食\":2}}", RW_EV_DUPLICATE_KEY, "attrs.食");
}

static void duplicate_key_in_attrs_is_rejected(void **state)
{
    (void)state;
    expect_reject("{" REQ ",\"attrs\":{\"category\":\"food\",\"category\":\"drug\"}}",
                  RW_EV_DUPLICATE_KEY, "attrs.category");
    /* Strings holding brackets, commas and escaped quotes do not confuse the path. */
    expect_reject("{" REQ ",\"source\":\"a{[\\\",]\",\"attrs\":{\"list\":[\"]\",{\"x\":1}],"
                  "\"m\":{\"k\":1,\"食品\":2,\"食品\":3}}}",
                  RW_EV_DUPLICATE_KEY, "attrs.m.食品");
    expect_reject("{" REQ ",\"attrs\":{\"items\":[0,{\"x\":1,\"x\":2}]}}", RW_EV_DUPLICATE_KEY,
                  "attrs.items[1].x");
    /* Also in a field the event otherwise ignores. */
    expect_reject("{" REQ ",\"extra\":{\"a\":1,\"a\":1}}", RW_EV_DUPLICATE_KEY, "extra.a");
}

static void long_paths_are_cut_on_a_character_boundary(void **state)
{
    (void)state;
    rw_event_t ev;
    rw_event_error_t err;
    const char *s =
        "{" REQ ",\"attrs\":{\"食品安全抽样检验不合格项目明细\":{\"食品安全抽样检验不合格项目"
        "明细\":[{}]}}}";
    assert_int_equal(rw_event_parse(s, strlen(s), NULL, 0, 0, &ev, &err), -1);
    assert_int_equal(err.code, RW_EV_BAD_FIELD);
    assert_true(strlen(err.field) <= 63);
    assert_true(rw_utf8_valid(err.field, strlen(err.field)));
    assert_true(strncmp(err.field, "attrs.食品安全", strlen("attrs.食品安全")) == 0);
}

static void key_differing_from_entity_is_rejected(void **state)
{
    (void)state;
    const char *s = "{" REQ "}";
    expect_reject_n(s, strlen(s), "91320102MA1XXXXX0Y", RW_EV_KEY_MISMATCH, "entity");
    expect_reject_n(s, strlen(s), "91320102MA1XXXXX0", RW_EV_KEY_MISMATCH, "entity");
    expect_reject_n(s, strlen(s), "", RW_EV_KEY_MISMATCH, "entity");
    rw_event_t ev;
    rw_event_error_t err;
    assert_int_equal(rw_event_parse(s, strlen(s), "91320102MA1XXXXX0X", 18, 0, &ev, &err), 0);
    rw_event_free(&ev);
}

static void too_large_is_rejected_before_anything_else(void **state)
{
    (void)state;
    rw_event_t ev;
    rw_event_error_t err;
    size_t n = strlen(example);
    assert_int_equal(rw_event_parse(example, n, NULL, 0, n - 1, &ev, &err), -1);
    assert_int_equal(err.code, RW_EV_TOO_LARGE);
    assert_string_equal(err.field, "");
    assert_int_equal(rw_event_parse(example, n, NULL, 0, n, &ev, &err), 0);
    rw_event_free(&ev);
    /* Over the default limit, even though the bytes are not UTF-8 either. */
    size_t big = RW_EVENT_MAX_SIZE_DEFAULT + 1;
    char *buf = malloc(big);
    memset(buf, 0xff, big);
    assert_int_equal(rw_event_parse(buf, big, NULL, 0, 0, &ev, &err), -1);
    assert_int_equal(err.code, RW_EV_TOO_LARGE);
    free(buf);
}

static void future_event_is_rejected(void **state)
{
    (void)state;
    rw_event_t ev;
    rw_event_error_t err;
    assert_int_equal(rw_event_parse(example, strlen(example), NULL, 0, 0, &ev, &err), 0);
    assert_int_equal(rw_event_check_future(&ev, ev.time - 86400.0, &err), 0);
    assert_int_equal(rw_event_check_future(&ev, ev.time - 86400.5, &err), -1);
    assert_int_equal(err.code, RW_EV_FUTURE);
    assert_string_equal(err.field, "time");
    assert_string_equal(rw_event_code_name(err.code), "future");
    assert_non_null(strstr(err.reason, "2026-03-04T10:15:00+08:00"));
    rw_event_free(&ev);
}

static void reject_record_carries_the_original_bytes(void **state)
{
    (void)state;
    const char bad[] = "{\"id\":\"\xff\xfe\"}\n";
    size_t n = sizeof bad - 1;
    rw_event_t ev;
    rw_event_error_t err;
    assert_int_equal(rw_event_parse(bad, n, NULL, 0, 0, &ev, &err), -1);
    json_t *rec = rw_event_reject_json(bad, n, &err);
    char *b64 = rw_base64(bad, n);
    assert_string_equal(json_string_value(json_object_get(rec, "value_base64")), b64);
    assert_string_equal(json_string_value(json_object_get(rec, "code")), "not_utf8");
    assert_true(json_is_null(json_object_get(rec, "field")));
    assert_string_equal(json_string_value(json_object_get(rec, "reason")), err.reason);
    free(b64);
    json_decref(rec);

    const char *s = "{" REQ ",\"region\":320102}";
    assert_int_equal(rw_event_parse(s, strlen(s), NULL, 0, 0, &ev, &err), -1);
    rec = rw_event_reject_json(s, strlen(s), &err);
    b64 = rw_base64(s, strlen(s));
    assert_string_equal(json_string_value(json_object_get(rec, "value_base64")), b64);
    assert_string_equal(json_string_value(json_object_get(rec, "code")), "bad_field");
    assert_string_equal(json_string_value(json_object_get(rec, "field")), "region");
    char *text = json_dumps(rec, JSON_COMPACT);
    assert_non_null(text);
    free(text);
    free(b64);
    json_decref(rec);
}

static void code_names_are_stable(void **state)
{
    (void)state;
    const char *want[RW_EV__COUNT] = {
        "ok",         "too_large",     "not_utf8",  "not_json", "duplicate_key",
        "not_object", "missing_field", "bad_field", "bad_time", "key_mismatch",
        "future"};
    for (int c = 0; c < RW_EV__COUNT; c++)
        assert_string_equal(rw_event_code_name((rw_event_status_t)c), want[c]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_event_has_every_field),
        cmocka_unit_test(optional_fields_may_be_absent_or_null),
        cmocka_unit_test(valid_edge_cases_are_accepted),
        cmocka_unit_test(not_utf8_is_rejected),
        cmocka_unit_test(not_json_is_rejected),
        cmocka_unit_test(truncated_json_is_rejected),
        cmocka_unit_test(not_an_object_is_rejected),
        cmocka_unit_test(missing_id_is_rejected),
        cmocka_unit_test(missing_type_is_rejected),
        cmocka_unit_test(missing_entity_is_rejected),
        cmocka_unit_test(missing_time_is_rejected),
        cmocka_unit_test(required_null_is_a_bad_field),
        cmocka_unit_test(id_wrong_type_or_length_is_rejected),
        cmocka_unit_test(type_not_matching_the_pattern_is_rejected),
        cmocka_unit_test(entity_with_control_character_is_rejected),
        cmocka_unit_test(entity_wrong_type_or_length_is_rejected),
        cmocka_unit_test(bad_time_forms_are_rejected),
        cmocka_unit_test(time_of_the_wrong_type_is_a_bad_field),
        cmocka_unit_test(region_as_a_number_is_rejected),
        cmocka_unit_test(region_out_of_limits_is_rejected),
        cmocka_unit_test(source_wrong_type_or_too_long_is_rejected),
        cmocka_unit_test(attrs_not_an_object_is_rejected),
        cmocka_unit_test(attrs_array_of_objects_is_rejected),
        cmocka_unit_test(profile_nested_object_is_rejected),
        cmocka_unit_test(duplicate_key_at_top_level_is_rejected),
        cmocka_unit_test(duplicate_key_in_attrs_is_rejected),
        cmocka_unit_test(long_paths_are_cut_on_a_character_boundary),
        cmocka_unit_test(key_differing_from_entity_is_rejected),
        cmocka_unit_test(too_large_is_rejected_before_anything_else),
        cmocka_unit_test(future_event_is_rejected),
        cmocka_unit_test(reject_record_carries_the_original_bytes),
        cmocka_unit_test(code_names_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
