package i18n

// korean maps each English message (its key, a fmt format) to Korean.
// Terms follow the course notes (pod-notes.ko.md): 검사 for a check,
// 실습 for an exercise, 좌석 for a seat; Kubernetes words (pod, namespace)
// stay as the notes write them.
var korean = map[string]string{
	// The check table and the failure blocks.
	"The lab has no checks.":           "이 랩에는 검사가 없습니다.",
	"Checks in environment %q:":        "환경 %q의 검사:",
	"SEAT":                             "좌석",
	"EXERCISE":                         "실습",
	"CHECK":                            "검사",
	"RESULT":                           "결과",
	"TIME":                             "시간",
	"PASS":                             "통과",
	"FAIL":                             "실패",
	"Failures:":                        "실패한 검사:",
	"%d checks: %d passed, %d failed.": "검사 %d개: %d개 통과, %d개 실패.",
	"expected:":                        "기대:",
	"seen:":                            "실제:",
	"try:":                             "확인:",
	"Running %d checks...":             "검사 %d개를 실행합니다...",

	// The seats × checks matrix.
	"Checks in environment %q: %d seats × %d checks": "환경 %q의 검사: 좌석 %d개 × 검사 %d개",
	"PASSED":                    "통과",
	"failed for %d seat(s): %s": "좌석 %d개에서 실패: %s",
	"(seat %s)":                 "(좌석 %s)",

	// Progress across gradings.
	"Progress (stuck: a check failing for more than %s):": "진행 상황 (막힘: %s 넘게 실패 중인 검사):",
	"DONE":                  "완료",
	"TIME TO FIRST PASS":    "첫 통과까지",
	"STUCK ON":              "막힌 검사",
	"%s: %s (failing %s)":   "%s: %s (%s째 실패)",
	"%d of %d seats stuck.": "좌석 %[2]d개 중 %[1]d개가 막혔습니다.",
	"PROGRESS":              "진행",
	"%d done (median %s)":   "%d명 완료 (중앙값 %s)",
	"stuck: %s":             "막힘: %s",

	// check -watch, podlab diff.
	"Watching %d checks of %d seat(s) in environment %q: graded again when a seat's pods change, failing checks every %s. Ctrl-C stops.": "환경 %[3]q에서 좌석 %[2]d개의 검사 %[1]d개를 지켜봅니다: 좌석의 파드가 바뀌면 다시 채점하고, 실패한 검사는 %[4]s마다 다시 채점합니다. Ctrl-C로 멈춥니다.",
	"(first pass after %s)":     "(%s 만에 첫 통과)",
	"Updated %s; Ctrl-C stops.": "%s에 갱신; Ctrl-C로 멈춥니다.",
	"Stopped watching environment %q; every result is saved in its state.":                                               "환경 %q 지켜보기를 멈췄습니다. 모든 결과는 상태에 저장되어 있습니다.",
	"Seat %s against the reference (what applying the exercise's manifests would change; fields of the reference only):": "좌석 %s와 기준의 차이 (실습 매니페스트를 적용하면 바뀔 것, 기준에 있는 필드만):",
	"matches the reference":                                   "기준과 같습니다",
	"Seat %s: %d missing, %d differ, %d match the reference.": "좌석 %s: 없음 %d개, 다름 %d개, 기준과 같음 %d개.",

	// The HTML grading report.
	"%s — grading report, %s":         "%s — 채점 보고서, %s",
	"%s: grading report":              "%s: 채점 보고서",
	"Environment":                     "환경",
	"checked %s":                      "검사 시각 %s",
	"%d seat(s) × %d check(s)":        "좌석 %d개 × 검사 %d개",
	"passed":                          "통과",
	"failed":                          "실패",
	"of %d seat(s) passed everything": "개 좌석이 모두 통과 (전체 %d개)",
	"Seat":                            "좌석",
	"Passed":                          "통과",
	"Failures":                        "실패한 검사",

	// Plan, apply and destroy summaries.
	"No changes.": "변경 없음.",
	"The environment %q of lab %q matches the configuration.": "랩 %[2]q의 환경 %[1]q이(가) 구성과 일치합니다.",
	"Plan:": "계획:",
	"%d to add, %d to change, %d to destroy.":        "추가 %d개, 변경 %d개, 삭제 %d개.",
	"Apply complete!":                                "적용 완료!",
	"Resources: %d added, %d changed, %d destroyed.": "리소스: 추가 %d개, 변경 %d개, 삭제 %d개.",
	"Destroy complete!":                              "삭제 완료!",
	"Resources: %d destroyed.":                       "리소스: 삭제 %d개.",

	// status.
	"No environment of lab %s has state yet.": "랩 %s에는 아직 상태가 기록된 환경이 없습니다.",
	"ENVIRONMENT":            "환경",
	"CLUSTER":                "클러스터",
	"OBJECTS":                "오브젝트",
	"SEATS":                  "좌석",
	"CHECKS":                 "검사",
	"TIME LEFT":              "남은 시간",
	"%d/%d passed":           "%d/%d 통과",
	"no limit":               "제한 없음",
	"expired %s ago":         "%s 전에 만료",
	"%s (until %s)":          "%s (%s까지)",
	"(unreadable state: %s)": "(읽을 수 없는 상태: %s)",
	" (created by podlab)":   " (podlab이 생성)",
}
