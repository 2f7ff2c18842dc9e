{{/* Labels on every object: the kustomize base's two, plus Helm's own. */}}
{{- define "temper.labels" -}}
app.kubernetes.io/part-of: temper
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* repository@digest when a digest is given (what runs is what was built), else repository:tag. */}}
{{- define "temper.image" -}}
{{- if .Values.image.digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" .Values.image.digest) -}}
{{- fail (printf "image.digest must be sha256:<64 hex>, got %q" .Values.image.digest) -}}
{{- end -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* -Xms/-Xmx for JAVA_TOOL_OPTIONS, which the JVM reads at start (the entrypoint stays as built). */}}
{{- define "temper.heap" -}}
{{- printf "-Xms%s -Xmx%s" (required "heap.initial is required" .initial) (required "heap.max is required" .max) -}}
{{- end -}}

{{- define "temper.policyDir" -}}/etc/temper/policies{{- end -}}

{{/* --log-format/--log-level for agent and controller, as a JSON list; empty at the defaults, so the
     default manifests stay those of the kustomize base. */}}
{{- define "temper.logArgs" -}}
{{- $l := .Values.logging -}}
{{- if not (has $l.format (list "text" "json")) -}}
{{- fail (printf "logging.format must be text or json, got %q" $l.format) -}}
{{- end -}}
{{- if not (has $l.level (list "error" "warn" "info" "debug" "trace")) -}}
{{- fail (printf "logging.level must be error, warn, info, debug or trace, got %q" $l.level) -}}
{{- end -}}
{{- $a := list -}}
{{- if ne $l.format "text" -}}{{- $a = concat $a (list "--log-format" $l.format) -}}{{- end -}}
{{- if ne $l.level "info" -}}{{- $a = concat $a (list "--log-level" $l.level) -}}{{- end -}}
{{- toJson $a -}}
{{- end -}}

{{/* "temper" unless nameOverride: the name in app.kubernetes.io/name (<name>-agent, <name>-controller). */}}
{{- define "temper.name" -}}
{{- default "temper" .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every object's name (<fullname>-agent, <fullname>-controller, <fullname>-policy):
     fullnameOverride, else the name. Not the release name: the objects are cluster-wide (one
     release per cluster), and the docs, the runbook and the kustomize base name them temper-*. */}}
{{- define "temper.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- include "temper.name" . -}}
{{- end -}}
{{- end -}}
