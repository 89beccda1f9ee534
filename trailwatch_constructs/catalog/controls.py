"""The trailwatch catalogue: seventeen detective controls over CloudTrail.

Fourteen are the CIS AWS Foundations Benchmark monitoring items that AWS Security Hub checks as
CloudWatch.1-14; their patterns are Security Hub's prescribed text byte for byte, because
Security Hub compares the text, not its meaning. One more is CIS 1.4.0 4.15 (AWS
Organizations), and two come from the source article (access keys, privileged groups).
The order here is the order of the docs and the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from trailwatch_constructs.catalog.definition import (
    ComplianceReference,
    ControlDefinition,
    Framework,
    Language,
    LocalizedText,
    Severity,
)
from trailwatch_constructs.core.errors import ControlDefinitionError, PatternTooLongError, UnknownControlError
from trailwatch_constructs.filter_pattern.limits import MAX_PATTERN_LENGTH

PRIVILEGED_GROUP_CONTROL_ID = "privileged-group-membership-changes"


def _refs(
    security_hub: str | None, cis_1_2: str | None, cis_1_4: str | None, cis_3_0: str | None
) -> tuple[ComplianceReference, ...]:
    pairs = (
        (Framework.SECURITY_HUB, security_hub),
        (Framework.CIS_1_2_0, cis_1_2),
        (Framework.CIS_1_4_0, cis_1_4),
        (Framework.CIS_3_0_0, cis_3_0),
    )
    return tuple(ComplianceReference(fw, item) for fw, item in pairs if item is not None)


_ARTICLE = (ComplianceReference(Framework.SOURCE_ARTICLE, "recommended CloudTrail monitoring"),)

ROOT_ACCOUNT_USAGE = ControlDefinition(
    id="root-account-usage",
    pattern='{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    metric_name="RootAccountUsage",
    severity=Severity.CRITICAL,
    # Security Hub also maps CloudWatch.1 to the root-usage items CIS 1.2.0 1.1 and 1.4.0 1.7.
    references=(
        *_refs("CloudWatch.1", "3.3", "4.3", "4.3"),
        ComplianceReference(Framework.CIS_1_2_0, "1.1"),
        ComplianceReference(Framework.CIS_1_4_0, "1.7"),
    ),
    texts={
        Language.EN: LocalizedText(
            title="Root user activity",
            rationale="The root user has unrestricted access to every resource and cannot be limited by IAM policies; "
            "day-to-day use of it defeats least privilege and is a common sign of compromised credentials.",
            investigation="Confirm who holds the root credentials and whether this was planned break-glass work; "
            "check the source IP, the MFA state and every other call in the same session.",
        ),
        Language.JA: LocalizedText(
            title="ルートユーザの使用",
            rationale="ルートユーザは全リソースへの無制限の権限を持ち、IAMポリシーで制限できません。日常的な使用は最小権限に反し、"
            "認証情報漏えいの典型的な兆候です。",
            investigation="ルート認証情報の保有者と計画された作業かを確認し、送信元IP、MFAの有無、同じセッションの他の操作を確認してください。",
        ),
    },
)

UNAUTHORIZED_API_CALLS = ControlDefinition(
    id="unauthorized-api-calls",
    pattern='{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    metric_name="UnauthorizedApiCalls",
    severity=Severity.LOW,
    references=_refs("CloudWatch.2", "3.1", "4.1", "4.1"),
    texts={
        Language.EN: LocalizedText(
            title="Unauthorized API calls",
            rationale="Calls denied by IAM can reveal a principal probing for permissions it should not have, "
            "stolen credentials being tried, or a broken deployment.",
            investigation="Group the denied calls by principal and source IP. A burst from one principal across many "
            "services points to enumeration, a single repeated call to a misconfigured application.",
        ),
        Language.JA: LocalizedText(
            title="不正なAPIコール",
            rationale="権限上許可されていないAPIコールは、権限の探索、盗まれた認証情報の試用、設定誤りを示す可能性があります。",
            investigation="拒否されたコールをプリンシパルと送信元IPで集計してください。多数のサービスへの連続した拒否は列挙行為、"
            "同じコールの繰り返しはアプリケーションの設定誤りを示します。",
        ),
    },
)

CONSOLE_SIGNIN_WITHOUT_MFA = ControlDefinition(
    id="console-signin-without-mfa",
    pattern='{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
    '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    metric_name="ConsoleSignInWithoutMfa",
    severity=Severity.HIGH,
    references=_refs("CloudWatch.3", "3.2", "4.2", "4.2"),
    texts={
        Language.EN: LocalizedText(
            title="Console sign-in without MFA",
            rationale="A password alone protects this IAM user's console session. A leaked or guessed password is "
            "enough to take over the account.",
            investigation="Ask the user whether the sign-in was theirs, enforce an MFA device for them, and review "
            "what the session did after signing in.",
        ),
        Language.JA: LocalizedText(
            title="MFA未使用のコンソールサインイン",
            rationale="このIAMユーザのコンソールセッションはパスワードのみで保護されており、パスワードの漏えいや推測だけで乗っ取られます。",
            investigation="本人のサインインかを確認し、MFAデバイスを必須にし、サインイン後のセッションの操作を確認してください。",
        ),
    },
)

IAM_POLICY_CHANGES = ControlDefinition(
    id="iam-policy-changes",
    pattern="{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || "
    "($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || "
    "($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || "
    "($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || "
    "($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || "
    "($.eventName=DetachGroupPolicy)}",
    metric_name="IamPolicyChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.4", "3.4", "4.4", "4.4"),
    texts={
        Language.EN: LocalizedText(
            title="IAM policy changes",
            rationale="Changing IAM policies changes who can do what. An unexpected change can grant a principal "
            "permissions it must not have.",
            investigation="Check that the change came from your deployment pipeline. Read the policy document in "
            "requestParameters and look for wildcards on actions or resources.",
        ),
        Language.JA: LocalizedText(
            title="IAMポリシーの変更",
            rationale="IAMポリシーの変更は権限の変更であり、想定外の変更によりユーザが許可されていない操作を行えるようになる恐れがあります。",
            investigation="デプロイパイプラインからの変更かを確認し、requestParametersのポリシー文書でアクションやリソースのワイルドカードを確認してください。",
        ),
    },
)

CLOUDTRAIL_CONFIG_CHANGES = ControlDefinition(
    id="cloudtrail-config-changes",
    pattern="{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || "
    "($.eventName=StartLogging) || ($.eventName=StopLogging)}",
    metric_name="CloudTrailConfigChanges",
    severity=Severity.CRITICAL,
    references=_refs("CloudWatch.5", "3.5", "4.5", "4.5"),
    texts={
        Language.EN: LocalizedText(
            title="CloudTrail configuration changes",
            rationale="CloudTrail feeds every other detective control here. Stopping or changing a trail blinds "
            "them, which is often an attacker's first step.",
            investigation="Confirm the trail is still logging (StopLogging, DeleteTrail) and delivering to the "
            "expected bucket and log group. Find who changed it and from where.",
        ),
        Language.JA: LocalizedText(
            title="CloudTrail設定の変更",
            rationale="CloudTrailの設定が変更されると、ここで定義した監視が正常に稼働しなくなる恐れがあります。攻撃者が最初に行う操作でもあります。",
            investigation="証跡のログ記録が継続しているか、想定のバケットとロググループに配信されているかを確認し、変更者と送信元を確認してください。",
        ),
    },
)

CONSOLE_SIGNIN_FAILURES = ControlDefinition(
    id="console-signin-failures",
    pattern='{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    metric_name="ConsoleSignInFailures",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.6", "3.6", "4.6", "4.6"),
    texts={
        Language.EN: LocalizedText(
            title="Console authentication failures",
            rationale="Repeated failed console sign-ins can be a brute-force or password-spraying attempt.",
            investigation="Group failures by user name and source IP. Many users from one IP suggests spraying, "
            "many failures for one user a targeted attempt. Check for a later successful sign-in.",
        ),
        Language.JA: LocalizedText(
            title="マネジメントコンソール認証の失敗",
            rationale="コンソール認証の失敗の繰り返しは、ブルートフォース攻撃やパスワードスプレー攻撃の可能性があります。",
            investigation="ユーザ名と送信元IPで集計し、その後にサインインが成功していないかを確認してください。",
        ),
    },
)

KMS_KEY_DISABLE_OR_DELETION = ControlDefinition(
    id="kms-key-disable-or-deletion",
    pattern="{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}",
    metric_name="KmsKeyDisableOrDeletion",
    severity=Severity.HIGH,
    references=_refs("CloudWatch.7", "3.7", "4.7", "4.7"),
    texts={
        Language.EN: LocalizedText(
            title="Customer-managed KMS key disabled or scheduled for deletion",
            rationale="Data encrypted under a disabled or deleted key becomes unreadable. Deleting a key is "
            "irreversible once its waiting period ends.",
            investigation="Identify the key and what it encrypts. If unplanned, re-enable it or call "
            "CancelKeyDeletion before the waiting period ends.",
        ),
        Language.JA: LocalizedText(
            title="カスタマー管理KMSキーの無効化または削除予定",
            rationale="無効化・削除されたキーで暗号化されたデータは読めなくなり、待機期間が過ぎると削除は取り消せません。",
            investigation="対象のキーと暗号化しているデータを特定し、計画外であればキーを再有効化するか、待機期間内にCancelKeyDeletionを実行してください。",
        ),
    },
)

S3_BUCKET_POLICY_CHANGES = ControlDefinition(
    id="s3-bucket-policy-changes",
    pattern="{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || "
    "($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || "
    "($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || "
    "($.eventName=DeleteBucketReplication))}",
    metric_name="S3BucketPolicyChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.8", "3.8", "4.8", "4.8"),
    texts={
        Language.EN: LocalizedText(
            title="S3 bucket policy changes",
            rationale="A changed bucket policy or ACL can expose objects to unintended principals or the internet.",
            investigation='Read the new policy or ACL in requestParameters. Look for Principal "*", public grants '
            "and cross-account access; check Block Public Access on the bucket and account.",
        ),
        Language.JA: LocalizedText(
            title="S3バケットポリシーの変更",
            rationale="バケットポリシーやACLが変更されると、想定外のユーザからオブジェクトの参照・更新を許してしまう恐れがあります。",
            investigation='requestParametersの新しいポリシーやACLでPrincipal "*"、パブリックな許可、クロスアカウントアクセスを確認し、'
            "ブロックパブリックアクセスの設定を確認してください。",
        ),
    },
)

CONFIG_CHANGES = ControlDefinition(
    id="config-changes",
    pattern="{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || "
    "($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}",
    metric_name="ConfigChanges",
    severity=Severity.HIGH,
    references=_refs("CloudWatch.9", "3.9", "4.9", "4.9"),
    texts={
        Language.EN: LocalizedText(
            title="AWS Config configuration changes",
            rationale="AWS Config records resource configuration for the other detective controls. Stopping the "
            "recorder or changing its delivery channel hides configuration drift.",
            investigation="Check the recorder is still recording all resources and the delivery channel still points "
            "at the expected bucket. Find who changed it.",
        ),
        Language.JA: LocalizedText(
            title="AWS Config設定の変更",
            rationale="AWS Configも発見的統制を担うサービスであり、設定が変更されるとAWSリソースに対する監視が正常に稼働しなくなる恐れがあります。",
            investigation="レコーダーが全リソースを記録し続けているか、配信チャネルが想定のバケットを指しているかを確認し、変更者を確認してください。",
        ),
    },
)

SECURITY_GROUP_CHANGES = ControlDefinition(
    id="security-group-changes",
    pattern="{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || "
    "($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || "
    "($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}",
    metric_name="SecurityGroupChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.10", "3.10", "4.10", "4.10"),
    texts={
        Language.EN: LocalizedText(
            title="Security group changes",
            rationale="Security groups are stateful firewalls around instances and services. A changed rule can "
            "open them to the internet.",
            investigation="Look for 0.0.0.0/0 or ::/0 in the new rules and for administrative ports (22, 3389, "
            "databases). Confirm the change was deployed through your pipeline.",
        ),
        Language.JA: LocalizedText(
            title="セキュリティグループの変更",
            rationale="セキュリティグループはインバウンド・アウトバウンドの通信を制御しており、変更によりリソースが意図せず公開される恐れがあります。",
            investigation="新しいルールに0.0.0.0/0や::/0、管理用ポート(22、3389、データベース)がないかを確認し、パイプライン経由の変更かを確認してください。",
        ),
    },
)

NACL_CHANGES = ControlDefinition(
    id="nacl-changes",
    pattern="{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || "
    "($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || "
    "($.eventName=ReplaceNetworkAclAssociation)}",
    metric_name="NetworkAclChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.11", "3.11", "4.11", "4.11"),
    texts={
        Language.EN: LocalizedText(
            title="Network ACL changes",
            rationale="Network ACLs filter traffic in and out of subnets. A changed entry can expose resources or "
            "cut them off.",
            investigation="Compare the new entries with the intended rules. Look for allow-all entries and changed "
            "subnet associations.",
        ),
        Language.JA: LocalizedText(
            title="ネットワークACLの変更",
            rationale="NACLはサブネットへの入出力トラフィックを制御しているため、変更によりリソースが意図せず公開される恐れがあります。",
            investigation="新しいエントリを意図したルールと比較し、全許可のエントリやサブネット関連付けの変更を確認してください。",
        ),
    },
)

NETWORK_GATEWAY_CHANGES = ControlDefinition(
    id="network-gateway-changes",
    pattern="{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || "
    "($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || "
    "($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
    metric_name="NetworkGatewayChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.12", "3.12", "4.12", "4.12"),
    texts={
        Language.EN: LocalizedText(
            title="Network gateway changes",
            rationale="Gateways are the doors of a VPC. Attaching an internet or customer gateway can send traffic "
            "out of the VPC and lead to data exfiltration.",
            investigation="Find which VPC the gateway was attached to or detached from and whether the route tables "
            "now send traffic through it.",
        ),
        Language.JA: LocalizedText(
            title="ネットワークゲートウェイの変更",
            rationale="インターネットゲートウェイやカスタマーゲートウェイが意図せずVPCにアタッチされると、VPC外へ通信が流れデータ漏えいに繋がる恐れがあります。",
            investigation="ゲートウェイがアタッチ・デタッチされたVPCと、ルートテーブルがそのゲートウェイへ通信を流していないかを確認してください。",
        ),
    },
)

ROUTE_TABLE_CHANGES = ControlDefinition(
    id="route-table-changes",
    pattern="{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || "
    "($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || "
    "($.eventName=DisassociateRouteTable)}",
    metric_name="RouteTableChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.13", "3.13", "4.13", "4.13"),
    texts={
        Language.EN: LocalizedText(
            title="Route table changes",
            rationale="Routes decide where VPC traffic goes. A changed route can send traffic through an unintended path.",
            investigation="Check the destination CIDR and target of the changed route (internet gateway, peering, "
            "instance) and the subnets associated with the table.",
        ),
        Language.JA: LocalizedText(
            title="ルートテーブルの変更",
            rationale="ルートテーブルの変更を監視することで、VPC内外のトラフィックが想定通りのパスを通過することを担保します。",
            investigation="変更されたルートの宛先CIDRとターゲット、テーブルに関連付けられたサブネットを確認してください。",
        ),
    },
)

VPC_CHANGES = ControlDefinition(
    id="vpc-changes",
    pattern="{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || "
    "($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || "
    "($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || "
    "($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || "
    "($.eventName=EnableVpcClassicLink)}",
    metric_name="VpcChanges",
    severity=Severity.MEDIUM,
    references=_refs("CloudWatch.14", "3.14", "4.14", "4.14"),
    texts={
        Language.EN: LocalizedText(
            title="VPC changes",
            rationale="New VPCs, peering connections and ClassicLink create network paths that bypass existing controls.",
            investigation="For peering, check the peer account and VPC and the routes added for it. For new VPCs, "
            "that they belong to a known workload.",
        ),
        Language.JA: LocalizedText(
            title="VPCの変更",
            rationale="VPCやピアリングが変更されると予期せぬ通信経路が生まれる可能性があります。",
            investigation="ピアリングの場合は相手のアカウントとVPC、追加されたルートを確認し、新しいVPCの場合は既知のワークロードのものかを確認してください。",
        ),
    },
)

ORGANIZATIONS_CHANGES = ControlDefinition(
    id="organizations-changes",
    pattern='{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
    '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || '
    '($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
    '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || '
    '($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || '
    '($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || '
    '($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || '
    '($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
    metric_name="OrganizationsChanges",
    severity=Severity.HIGH,
    references=_refs(None, None, "4.15", "4.15"),
    texts={
        Language.EN: LocalizedText(
            title="AWS Organizations changes",
            rationale="Organization changes move accounts, attach service control policies and invite or remove "
            "accounts. An unexpected change can lift guardrails across many accounts at once.",
            investigation="Identify the policy, OU or account changed. Confirm the change with the organization's "
            "administrators; check SCP attachments still match your baseline.",
        ),
        Language.JA: LocalizedText(
            title="AWS Organizationsの変更",
            rationale="組織の変更はアカウントの移動、SCPのアタッチ、アカウントの招待・削除を伴い、多数のアカウントのガードレールを一度に外す恐れがあります。",
            investigation="変更されたポリシー、OU、アカウントを特定し、組織の管理者に確認し、SCPのアタッチがベースライン通りかを確認してください。",
        ),
    },
)

ACCESS_KEY_CREATED = ControlDefinition(
    id="access-key-created",
    pattern="{($.eventName=CreateAccessKey)||($.eventName=UpdateAccessKey)}",
    metric_name="AccessKeyCreated",
    severity=Severity.MEDIUM,
    references=_ARTICLE,
    texts={
        Language.EN: LocalizedText(
            title="IAM access key created or updated",
            rationale="Access keys are long-lived credentials. A leaked key gives lasting access, so AWS recommends "
            "not creating them where temporary credentials will do.",
            investigation="Confirm the key's owner needs it. Prefer roles or IAM Identity Center; a key created "
            "for another user, or re-activated, deserves a closer look.",
        ),
        Language.JA: LocalizedText(
            title="アクセスキーの作成・更新",
            rationale="アクセスキーは永続的なクレデンシャルであり、漏えいすると大きなセキュリティリスクとなるため、原則作成しないことが推奨されています。",
            investigation="キーの所有者に必要性を確認し、ロールやIAM Identity Centerの利用を検討してください。他ユーザのキーの作成や再有効化は特に注意してください。",
        ),
    },
)

_PRIVILEGED_GROUP_TEXTS = {
    Language.EN: LocalizedText(
        title="Privileged IAM group membership changes",
        rationale="Members of a privileged group (AdministratorAccess, IAMFullAccess...) hold powerful permissions; "
        "adding a user grants them at once.",
        investigation="Check which user was added or removed, who did it, and whether an approved access request "
        "covers it.",
    ),
    Language.JA: LocalizedText(
        title="特権IAMグループのメンバー変更",
        rationale="AdministratorAccessやIAMFullAccessなどが付与された特権グループのメンバーが変更されると、意図しないユーザが強力な権限を持つ恐れがあります。",
        investigation="追加・削除されたユーザ、操作者、承認された申請があるかを確認してください。",
    ),
}

# IAM group names: 1-128 of letters, digits and +=,.@_- (IAM API reference, CreateGroup).
IAM_GROUP_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)


def privileged_group_pattern(group_names: Sequence[str]) -> str:
    """The filter pattern alarming on membership changes of some IAM groups.

    For one group it is the source article's text exactly; for several it tests the event name
    once and the group name against each group, which keeps the text short.

    Args:
        group_names: one or more IAM group names.

    Returns:
        The pattern.

    Raises:
        ControlDefinitionError: naming each invalid group name, or when none is given.
        PatternTooLongError: past CloudWatch Logs' 1,024-character limit (about twenty-five
            20-character names); split the groups over several controls then.
    """
    names = list(group_names)
    problems = [
        f"IAM group name {name!r} must be 1-128 characters of letters, digits and +=,.@_-"
        for name in names
        if not IAM_GROUP_NAME_RE.match(name)
    ]
    if not names:
        problems.append("at least one privileged IAM group name is required")
    if problems:
        raise ControlDefinitionError("; ".join(problems))
    if len(names) == 1:
        (name,) = names
        pattern = (
            f'{{(($.eventName=AddUserToGroup) && ($.requestParameters.groupName="{name}")) || '
            f'(($.eventName=RemoveUserFromGroup) && ($.requestParameters.groupName="{name}"))}}'
        )
    else:
        groups = " || ".join(f'($.requestParameters.groupName="{name}")' for name in names)
        pattern = f"{{(($.eventName=AddUserToGroup) || ($.eventName=RemoveUserFromGroup)) && ({groups})}}"
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternTooLongError(
            f"the {PRIVILEGED_GROUP_CONTROL_ID} pattern for {len(names)} groups is {len(pattern)} characters; "
            f"CloudWatch Logs allows {MAX_PATTERN_LENGTH}. Split the groups over several controls with "
            f"privileged_group_membership_changes(groups, control_id=...) and add_control()"
        )
    return pattern


def privileged_group_membership_changes(
    group_names: Sequence[str],
    *,
    control_id: str = PRIVILEGED_GROUP_CONTROL_ID,
    metric_name: str = "PrivilegedGroupMembershipChanges",
) -> ControlDefinition:
    """The privileged-group control for some IAM groups.

    Args:
        group_names: one or more IAM group names.
        control_id: the control's id; another one lets several such controls be deployed together.
            Default: :data:`PRIVILEGED_GROUP_CONTROL_ID`.
        metric_name: the metric its filter publishes. Default: ``PrivilegedGroupMembershipChanges``.

    Returns:
        The control's definition.

    Raises:
        ControlDefinitionError: for invalid group names, id or metric name.
        PatternTooLongError: see :func:`privileged_group_pattern`.
    """
    return ControlDefinition(
        id=control_id,
        pattern=privileged_group_pattern(group_names),
        metric_name=metric_name,
        severity=Severity.HIGH,
        references=_ARTICLE,
        texts=_PRIVILEGED_GROUP_TEXTS,
    )


STATIC_CONTROLS: tuple[ControlDefinition, ...] = (
    ROOT_ACCOUNT_USAGE,
    UNAUTHORIZED_API_CALLS,
    CONSOLE_SIGNIN_WITHOUT_MFA,
    IAM_POLICY_CHANGES,
    CLOUDTRAIL_CONFIG_CHANGES,
    CONSOLE_SIGNIN_FAILURES,
    KMS_KEY_DISABLE_OR_DELETION,
    S3_BUCKET_POLICY_CHANGES,
    CONFIG_CHANGES,
    SECURITY_GROUP_CHANGES,
    NACL_CHANGES,
    NETWORK_GATEWAY_CHANGES,
    ROUTE_TABLE_CHANGES,
    VPC_CHANGES,
    ORGANIZATIONS_CHANGES,
    ACCESS_KEY_CREATED,
)

CONTROL_IDS: tuple[str, ...] = (*(c.id for c in STATIC_CONTROLS), PRIVILEGED_GROUP_CONTROL_ID)
"""Every catalogue id, in catalogue order (the privileged-group control last)."""


def catalog_controls(*, privileged_groups: Sequence[str] = ()) -> tuple[ControlDefinition, ...]:
    """The catalogue's controls, in catalogue order.

    Args:
        privileged_groups: IAM group names for the privileged-group control. Default: none, and
            then that control is left out.

    Returns:
        :data:`STATIC_CONTROLS`, plus the privileged-group control when groups are given.
    """
    if not privileged_groups:
        return STATIC_CONTROLS
    return (*STATIC_CONTROLS, privileged_group_membership_changes(privileged_groups))


def unknown_id_message(bad: Sequence[str], where: str | None = None, known: Sequence[str] = CONTROL_IDS) -> str:
    """The message naming unknown control ids and the known ones.

    Args:
        bad: the unknown ids.
        where: where they were given, e.g. ``exclude``. Default: not said (a CLI option names itself).
        known: the ids that are known. Default: :data:`CONTROL_IDS`.

    Returns:
        E.g. ``unknown control id 'x' in exclude; known ids: a, b, ...``.
    """
    listed = ", ".join(repr(b) for b in bad)
    noun = "id" if len(bad) == 1 else "ids"
    place = f" in {where}" if where else ""
    return f"unknown control {noun} {listed}{place}; known ids: {', '.join(known)}"


def get_control(control_id: str, *, privileged_groups: Sequence[str] = ()) -> ControlDefinition:
    """One catalogue control by id.

    Args:
        control_id: a catalogue control id.
        privileged_groups: IAM group names, required for the privileged-group control.

    Returns:
        The control's definition.

    Raises:
        UnknownControlError: naming the known ids, when ``control_id`` is none of them, or when the
            privileged-group control is asked for without groups.
    """
    if control_id == PRIVILEGED_GROUP_CONTROL_ID:
        if not privileged_groups:
            raise UnknownControlError(f"control {control_id!r} needs at least one privileged IAM group name")
        return privileged_group_membership_changes(privileged_groups)
    for control in STATIC_CONTROLS:
        if control.id == control_id:
            return control
    raise UnknownControlError(unknown_id_message([control_id], "the catalogue"))
