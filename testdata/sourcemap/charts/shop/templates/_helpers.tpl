{{- define "shop.container" -}}
- name: web
  image: "{{ .Values.image }}"
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
{{- end }}
