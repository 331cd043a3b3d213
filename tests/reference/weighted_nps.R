# Reference numbers for the weighted NPS and its linearised standard error.
#
# tests/test_reference_r.py holds the output of this script as literals (CI
# does not run R).  Rerun it after changing what it computes:
#
#   apt-get install -y r-base-core r-cran-survey          # Debian / Ubuntu
#   .venv/bin/python tests/reference/write_b2c.py /tmp/b2c.csv
#   Rscript tests/reference/weighted_nps.R data/public /tmp/b2c.csv
#
# The NPS is the weighted mean of s = +1 (promoter, 9-10), 0 (passive, 7-8),
# -1 (detractor, 0-6).  survey::svymean with ids = ~1 treats each respondent
# as its own primary sampling unit and gives the linearised (sandwich) SE
# with an n / (n - 1) factor; the toolkit uses the n divisor of the R NPS
# package, so its SE is svymean's times sqrt((n - 1) / n).  Groups are
# computed each as its own sample (a subset design), as summarize does.

suppressWarnings(library(survey))

args <- commandArgs(trailingOnly = TRUE)
public <- if (length(args) >= 1) args[1] else "data/public"
b2c_csv <- if (length(args) >= 2) args[2] else NA

category <- function(x) ifelse(x >= 9, 1, ifelse(x >= 7, 0, -1))

report <- function(label, score, w) {
  keep <- !is.na(score)
  d <- data.frame(s = category(score[keep]), w = w[keep])
  n <- nrow(d)
  design <- svydesign(ids = ~1, weights = ~w, data = d)
  m <- svymean(~s, design)
  se <- as.numeric(SE(m)) * sqrt((n - 1) / n)
  cat(sprintf("%-32s n=%5d  nps=%.10f  se=%.10f  svymean_se=%.10f\n",
              label, n, 100 * as.numeric(coef(m)), 100 * se, 100 * as.numeric(SE(m))))
}

# 1. R NPS package test data (1,000 answers, REC 0-10)
rocks <- read.csv(file.path(public, "rocks_NPS_R_testdata.csv"))
i <- seq_len(nrow(rocks)) - 1
w_follow <- 0.5 + rocks$REC / 5            # weights that rise with the score
w_rows <- 1 + (i %% 3)                     # weights unrelated to the score
report("rocks w=0.5+REC/5", rocks$REC, w_follow)
report("rocks w=1+row%%3", rocks$REC, w_rows)
for (region in sort(unique(rocks$Region))) {
  g <- rocks$Region == region
  report(paste0("rocks w=0.5+REC/5 Region=", region), rocks$REC[g], w_follow[g])
}

# 2. Preppin' Data airline NPS (5,907 answers)
air <- read.csv(file.path(public, "prepbench_case122_airline_nps.csv"), check.names = FALSE)
score <- air[["How likely are you to recommend this airline?"]]
j <- seq_len(nrow(air)) - 1
w_detr <- ifelse(score <= 6, 2, 1)         # detractors weigh double
report("airline w=2 detractors", score, w_detr)
report("airline w=1+(row%%4)/2", score, 1 + (j %% 4) / 2)

# 3. the toolkit's b2c-monthly example with its own weights
if (!is.na(b2c_csv)) {
  b2c <- read.csv(b2c_csv)
  report("b2c weight", b2c$recommend, b2c$weight)
  for (region in sort(unique(b2c$region))) {
    g <- b2c$region == region
    report(paste0("b2c weight region=", region), b2c$recommend[g], b2c$weight[g])
  }
}
