"""`traceiq run` fills the run's metadata (branch, commit, CI job URL, pull request) from the
environment variables of GitHub Actions, GitLab CI, Jenkins, CircleCI, Buildkite and Azure
Pipelines; nothing outside CI."""

from __future__ import annotations

import pytest

from traceiq_app.cli.client import detect_ci

CASES = {
    "github": ({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/17/merge", "GITHUB_HEAD_REF": "fix/login",
                "GITHUB_REF_NAME": "17/merge", "GITHUB_SHA": "a1b2c3", "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "99"},
               {"branch": "fix/login", "commit": "a1b2c3", "ci_url": "https://github.com/acme/shop/actions/runs/99",
                "pr": "17"}),
    "gitlab": ({"GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_SHA": "d4e5",
                "CI_JOB_URL": "https://gitlab.test/acme/shop/-/jobs/5", "CI_MERGE_REQUEST_IID": "8"},
               {"branch": "main", "commit": "d4e5", "ci_url": "https://gitlab.test/acme/shop/-/jobs/5", "pr": "8"}),
    "jenkins": ({"JENKINS_URL": "https://ci.test/", "BRANCH_NAME": "PR-3", "CHANGE_BRANCH": "feature/x",
                 "GIT_COMMIT": "f00d", "BUILD_URL": "https://ci.test/job/shop/12/", "CHANGE_ID": "3"},
                {"branch": "feature/x", "commit": "f00d", "ci_url": "https://ci.test/job/shop/12/", "pr": "3"}),
    "circleci": ({"CIRCLECI": "true", "CIRCLE_BRANCH": "dev", "CIRCLE_SHA1": "beef",
                  "CIRCLE_BUILD_URL": "https://circleci.com/gh/acme/shop/4",
                  "CIRCLE_PULL_REQUEST": "https://github.com/acme/shop/pull/21"},
                 {"branch": "dev", "commit": "beef", "ci_url": "https://circleci.com/gh/acme/shop/4", "pr": "21"}),
    "buildkite": ({"BUILDKITE": "true", "BUILDKITE_BRANCH": "main", "BUILDKITE_COMMIT": "cafe",
                   "BUILDKITE_BUILD_URL": "https://buildkite.com/acme/shop/builds/6", "BUILDKITE_PULL_REQUEST": "false"},
                  {"branch": "main", "commit": "cafe", "ci_url": "https://buildkite.com/acme/shop/builds/6"}),
    "azure": ({"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/heads/release", "BUILD_SOURCEVERSION": "0ff1ce",
               "SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "shop",
               "BUILD_BUILDID": "77", "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER": "5"},
              {"branch": "release", "commit": "0ff1ce", "ci_url": "https://dev.azure.com/acme/shop/_build/results?buildId=77",
               "pr": "5"}),
}


@pytest.mark.parametrize("provider", sorted(CASES))
def test_it_reads_the_metadata(provider: str) -> None:
    env, expected = CASES[provider]
    info = detect_ci(env)
    assert info is not None and info.provider == provider
    assert info.metadata() == expected


def test_nothing_outside_ci() -> None:
    assert detect_ci({"HOME": "/root", "PATH": "/usr/bin"}) is None
