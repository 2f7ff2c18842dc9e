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
